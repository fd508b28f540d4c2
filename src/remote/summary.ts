/**
 * What push and pull print: a progress line on a terminal, one summary line otherwise.
 */
import type { Progress } from "./select";
import type { PushResult } from "./push";
import type { PullResult } from "./pull";

/** A one-line progress counter on stderr when it is a terminal (none in CI or with --json). */
export function ttyProgress(verb: string, json?: boolean): Progress | undefined {
  if (json || !process.stderr.isTTY) return undefined;
  return (done, total, label) => {
    process.stderr.write(`\r\x1b[K${verb} ${done}/${total} ${label.slice(0, 60)}${done === total ? "\r\x1b[K" : ""}`);
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function pushSummary(r: PushResult): string {
  return `pushed ${r.pushed} run${r.pushed === 1 ? "" : "s"} to ${r.remote} (${r.unchanged} unchanged): ${formatBytes(r.bytes)} in ${r.requests} request${r.requests === 1 ? "" : "s"}, ${seconds(r.duration_ms)}`;
}

export function pullSummary(r: PullResult): string {
  const skipped = r.skipped ? `, ${r.skipped} skipped` : "";
  return `pulled ${r.pulled} run${r.pulled === 1 ? "" : "s"} from ${r.remote} (${r.unchanged} unchanged${skipped}): ${formatBytes(r.bytes)} in ${r.requests} request${r.requests === 1 ? "" : "s"}, ${seconds(r.duration_ms)}`;
}
