/**
 * Flags given more than once. citty (through node:util parseArgs without `multiple`) keeps
 * only the last value of a repeated string flag, so the values are read from the raw
 * arguments; a value citty did hand over (a string, or an array from another parser) is
 * the fallback.
 */
import type { RunFilter } from "../read/filter";

/**
 * Every value of `--name` in `rawArgs` (`--name v` and `--name=v`), in order, stopping at `--`.
 *
 * @example
 * repeatedFlag(["exp", "--metric", "a>=1", "--metric=b<2"], "metric"); // ["a>=1", "b<2"]
 */
export function repeatedFlag(rawArgs: readonly string[], name: string, parsed?: unknown): string[] {
  const out: string[] = [];
  const long = `--${name}`;
  for (let i = 0; i < rawArgs.length; i++) {
    const a = rawArgs[i]!;
    if (a === "--") break;
    if (a === long && i + 1 < rawArgs.length) out.push(rawArgs[++i]!);
    else if (a.startsWith(`${long}=`)) out.push(a.slice(long.length + 1));
  }
  if (out.length > 0) return out;
  if (Array.isArray(parsed)) return parsed.map(String);
  return typeof parsed === "string" && parsed !== "" ? [parsed] : [];
}

/** Comma-separated lists from repeated flags: `--runs a,b --runs c` -> ["a", "b", "c"]. */
export function listFlag(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);
}

/** `list-runs` filter flags; spread into the command's `args` (see src/read/filter.ts). */
export const runFilterArgs = {
  status: { type: "string", description: "Only runs with this status (repeatable or comma-separated; crashed and stale included)", valueHint: "status" },
  type: { type: "string", description: "Only trial or milestone runs", valueHint: "trial|milestone" },
  since: { type: "string", description: "Only runs started since an ISO date or an age (30m, 3h, 2d, 1w)", valueHint: "when" },
  tag: { type: "string", description: "Only runs with this tag (repeatable: every tag must be there)", valueHint: "tag" },
  sort: { type: "string", description: "Sort by a metric (or started_at, duration_seconds), highest first", valueHint: "metric" },
  asc: { type: "boolean", description: "With --sort: flip the order (best first by default: lower-is-better figures ascending)" },
  limit: { type: "string", description: "At most this many runs: the first after --sort, else the latest", valueHint: "n" },
} as const;

/** The RunFilter a command line asks for (repeated --status and --tag all count). */
export function runFilterOf(args: Record<string, unknown>, rawArgs: readonly string[]): RunFilter {
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const statuses = listFlag(repeatedFlag(rawArgs, "status", args.status));
  const tags = listFlag(repeatedFlag(rawArgs, "tag", args.tag));
  return {
    status: statuses.length ? statuses : undefined,
    type: str(args.type),
    since: str(args.since),
    tag: tags.length ? tags : undefined,
    sort: str(args.sort),
    asc: args.asc === true,
    limit: str(args.limit),
  };
}
