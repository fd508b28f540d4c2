/**
 * Paths a request may name, and nothing else: names checked against the contract's pattern,
 * relative file paths made of plain segments, and every path resolved with symlinks
 * followed (realpath) and checked to stay inside the folder it belongs to.
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import { join, sep } from "node:path";
import { NAME_PATTERN } from "../core/validate";
import { HttpError } from "./http";

const RESERVED = new Set(["__proto__", "constructor", "prototype"]);

/** Checks an experiment name or run id from a request: the contract's pattern, no `..`. */
export function checkName(value: string, field: string): string {
  if (!NAME_PATTERN.test(value) || value.includes("..") || RESERVED.has(value)) {
    throw new HttpError(400, `${field} is not a valid name`);
  }
  return value;
}

/**
 * Checks a relative file path from a request (already percent-decoded once): segments of
 * anything but `/`, `\`, NUL, control characters, `.` and `..`; not absolute; at most 1024
 * characters.
 *
 * @example
 * checkRelPath("plots/loss.svg"); // "plots/loss.svg"
 * checkRelPath("../etc/passwd");  // throws HttpError 400
 */
export function checkRelPath(value: string): string {
  if (value.length === 0 || value.length > 1024) throw new HttpError(400, "bad file path");
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(value) || value.startsWith("/") || /^[A-Za-z]:/.test(value)) {
    throw new HttpError(400, "bad file path");
  }
  for (const seg of value.split("/")) {
    if (seg === "" || seg === "." || seg === "..") throw new HttpError(400, "bad file path");
  }
  return value;
}

/** realpath, or undefined when the path does not exist (or cannot be resolved). */
export function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** True when `path` is `base` or inside it (both real paths). */
export function isInside(base: string, path: string): boolean {
  return path === base || path.startsWith(base.endsWith(sep) ? base : base + sep);
}

/**
 * `rel` joined onto `base`, symlinks followed, when it exists and stays inside `realBase`
 * (the real path of the folder it must not leave). 404 when missing, 403 when it escapes.
 */
export function resolveInside(realBase: string, base: string, rel: string, kind: "file" | "dir" = "file"): string {
  const target = real(join(base, rel));
  if (target === undefined) throw new HttpError(404, "not found");
  if (!isInside(realBase, target)) throw new HttpError(403, "outside the project");
  let st;
  try {
    st = statSync(target);
  } catch {
    throw new HttpError(404, "not found");
  }
  if (kind === "file" ? !st.isFile() : !st.isDirectory()) throw new HttpError(404, "not found");
  return target;
}

/** Each existing path of `paths` must resolve inside `realBase`; else 403. */
export function assertAllInside(realBase: string, paths: string[]): void {
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const r = real(p);
    if (r === undefined || !isInside(realBase, r)) throw new HttpError(403, "outside the project");
  }
}
