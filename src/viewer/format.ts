/** Numbers, times and sizes as the viewer prints them (sizes by src/units.ts, as the CLI does). */
import { formatBytes } from "../units";

/** A metric value: numbers to 4 significant decimals, null as an em dash, objects as JSON. */
export function fmt(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") return fmtNumber(v);
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export function fmtNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return Math.abs(n) >= 1e15 ? n.toExponential(3) : n.toLocaleString("en-US");
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e12)) return n.toExponential(3);
  if (abs >= 1000) return n.toLocaleString("en-US", { maximumFractionDigits: 2 });
  return String(Number(n.toPrecision(4)));
}

/** A delta with its sign: +0.05, −3. */
export function fmtDelta(d: number | null): string {
  if (d === null) return "";
  if (d === 0) return "±0";
  return `${d > 0 ? "+" : "−"}${fmtNumber(Math.abs(d))}`;
}

/** Milliseconds as 12 ms, 1.5 s, 2 m 3 s. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${fmtNumber(Number(ms.toFixed(ms < 10 ? 2 : 0)))} ms`;
  return fmtSeconds(ms / 1000);
}

/** Seconds as 1.5 s, 2 m 3 s, 1 h 2 m. */
export function fmtSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return "—";
  if (s < 60) return `${Number(s.toFixed(s < 10 ? 2 : 1))} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} m`;
}

/** An ISO timestamp as local `YYYY-MM-DD HH:MM:SS`. */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Bytes as every view shows them ("48.2 KiB", "1 MiB"): src/units.ts. */
export const fmtBytes = formatBytes;

export function fmtUsd(v: number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  return `$${v < 0.01 && v > 0 ? v.toPrecision(2) : v.toFixed(v < 10 ? 4 : 2)}`;
}
