/**
 * `list-runs` filters and sorting, as a pure function over `listRuns()` entries.
 */
import { UserError } from "../core/errors";
import type { RunSummary } from "../core/experiment";
import { isLowerBetter } from "./direction";

const STATUSES = ["running", "finished", "failed", "interrupted", "crashed", "stale"] as const;
const TYPES = ["trial", "milestone"] as const;
const UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };
/** Fields `--sort` takes besides metric names. */
const FIELDS = new Set(["started_at", "finished_at", "duration_seconds", "run_id", "status", "run_type"]);

export interface RunFilter {
  /** One status or several, comma-separated (`failed,crashed`). */
  status?: string | string[];
  type?: string;
  /** An ISO date or a relative age: `30m`, `3h`, `2d`, `1w`. */
  since?: string;
  /** Runs holding every given tag. */
  tag?: string | string[];
  /** A metric name (or started_at, duration_seconds, run_id…); best first (lower-is-better ones ascending), `asc` flips it. */
  sort?: string;
  asc?: boolean;
  /** At most this many runs: the first after sorting, else the latest. */
  limit?: number | string;
}

const list = (v: string | string[] | undefined) =>
  v === undefined ? [] : [v].flat().flatMap((s) => String(s).split(",")).map((s) => s.trim()).filter(Boolean);

/**
 * The time `--since` names, in ms since the epoch.
 *
 * @example
 * parseSince("2d", Date.parse("2026-01-03T00:00:00Z")); // Date.parse("2026-01-01T00:00:00Z")
 * parseSince("2026-01-01");                              // Date.parse("2026-01-01")
 */
export function parseSince(text: string, now = Date.now()): number {
  const rel = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim());
  if (rel) return now - Number(rel[1]) * UNITS[rel[2]!]!;
  const abs = /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(abs)) {
    throw new UserError(`--since ${text} is not a date or an age: use an ISO date (2026-01-31, 2026-01-31T12:00Z) or an age like 30m, 3h, 2d, 1w`);
  }
  return abs;
}

/**
 * Filters and sorts runs (oldest first unless `sort`). Throws a UserError for a bad value.
 *
 * @example
 * filterRuns(exp.listRuns(), { status: "finished", sort: "accuracy", limit: 3 }); // the 3 best finished runs
 */
export function filterRuns(runs: readonly RunSummary[], opts: RunFilter, now = Date.now()): RunSummary[] {
  const statuses = list(opts.status);
  for (const s of statuses) {
    if (!(STATUSES as readonly string[]).includes(s)) throw new UserError(`--status ${s} is not a status: use one of ${STATUSES.join(", ")}`);
  }
  if (opts.type !== undefined && !(TYPES as readonly string[]).includes(opts.type)) {
    throw new UserError(`--type ${opts.type} is not a run type: use trial or milestone`);
  }
  const tags = list(opts.tag);
  const since = opts.since === undefined ? undefined : parseSince(opts.since, now);
  let limit: number | undefined;
  if (opts.limit !== undefined) {
    limit = Number(opts.limit);
    if (!Number.isInteger(limit) || limit < 0) throw new UserError(`--limit ${opts.limit} is not a count: give a whole number, like --limit 10`);
  }

  let out = runs.filter((r) =>
    (statuses.length === 0 || statuses.includes(r.status)) &&
    (opts.type === undefined || r.run_type === opts.type) &&
    (since === undefined || Date.parse(r.started_at) >= since) &&
    tags.every((t) => (r.tags ?? []).includes(t)));

  if (opts.sort !== undefined && opts.sort !== "") {
    const key = opts.sort;
    const isMetric = runs.some((r) => Object.hasOwn(r.metrics ?? {}, key));
    if (!isMetric && !FIELDS.has(key)) {
      const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.metrics ?? {})))].sort();
      throw new UserError(
        `--sort ${key} is not a field or a metric of these runs: use one of ${[...FIELDS].join(", ")}${metrics.length ? `, or a metric: ${metrics.slice(0, 12).join(", ")}${metrics.length > 12 ? ", …" : ""}` : ""}`,
      );
    }
    const value = (r: RunSummary): unknown => (FIELDS.has(key) && !Object.hasOwn(r.metrics ?? {}, key) ? (r as unknown as Record<string, unknown>)[key] : r.metrics?.[key]);
    // Best first: a lower-is-better figure (loss, latency, cost…, as compare decides) ascending,
    // others descending; `asc` flips that order.
    const best = (isMetric || key === "duration_seconds") && isLowerBetter(key) ? 1 : -1;
    const dir = opts.asc ? -best : best;
    // Runs without the figure go last whatever the direction; the sort is stable otherwise.
    out = out
      .map((r, i) => ({ r, i, v: value(r) }))
      .sort((a, b) => {
        const am = a.v === undefined || a.v === null;
        const bm = b.v === undefined || b.v === null;
        if (am || bm) return am === bm ? a.i - b.i : am ? 1 : -1;
        const c = typeof a.v === "number" && typeof b.v === "number" ? a.v - b.v : String(a.v).localeCompare(String(b.v));
        return c === 0 ? a.i - b.i : c * dir;
      })
      .map((x) => x.r);
    if (limit !== undefined) out = out.slice(0, limit);
  } else if (limit !== undefined) {
    out = limit === 0 ? [] : out.slice(-limit);
  }
  return out;
}
