/**
 * Where the viewer's data comes from: the server's JSON API (`scryptorum serve`), or the
 * JSON embedded in a report file (`scryptorum report`), which makes no request at all.
 */
import type { CompareView } from "../read/compare-view";

/** What a report file embeds in `<script type="application/json" id="scryptorum-data">`. */
export interface ReportData {
  format: 1;
  kind: "compare";
  generated_at: string;
  version: string;
  project: string;
  view: CompareView;
}

/** The embedded report data, when this page is a report file. */
export function embeddedReport(): ReportData | undefined {
  const el = document.getElementById("scryptorum-data");
  if (!el || el.getAttribute("type") !== "application/json") return undefined;
  return JSON.parse(el.textContent ?? "null") as ReportData;
}

/** An API error: the server's `{error}` message. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** GETs a JSON endpoint of the server. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { Accept: "application/json" }, credentials: "same-origin" });
  let body: any;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (!res.ok) throw new ApiError(res.status, typeof body?.error === "string" ? body.error : `HTTP ${res.status}`);
  return body as T;
}

/** `/api/experiments/<e>/…` with each name percent-encoded. */
export function apiPath(...parts: string[]): string {
  return `/api/${parts.map(encodeURIComponent).join("/")}`;
}

/** A file path under a run, each segment encoded. */
export function filePath(base: string, rel: string): string {
  return `${base}/${rel.split("/").map(encodeURIComponent).join("/")}`;
}
