/** Plain-text lines for `scryptorum cache`: pure, the command prints. */
import type { CacheStats } from "./index";
import { formatBytes } from "../units";

const plural = (n: number) => `${n} cached response${n === 1 ? "" : "s"}`;

/**
 * `cache stats` as lines: the total, then one line per provider.
 *
 * @example
 * formatCacheStats(stats); // ["12 cached responses (47.1 KiB) in /p/cache", "  openai     10  39.2 KiB", …]
 */
export function formatCacheStats(stats: CacheStats): string[] {
  const lines = [`${plural(stats.entries)} (${formatBytes(stats.bytes)}) in ${stats.dir}`];
  const names = Object.keys(stats.providers);
  const width = Math.max(0, ...names.map((n) => n.length));
  for (const name of names) {
    const p = stats.providers[name]!;
    lines.push(`  ${name.padEnd(width)}  ${String(p.entries).padStart(6)}  ${formatBytes(p.bytes).padStart(9)}`);
  }
  return lines;
}

/** `cache clear` as one line. */
export function formatCleared(stats: CacheStats): string {
  return stats.entries === 0 ? `the cache is empty (${stats.dir})` : `removed ${plural(stats.entries)} (${formatBytes(stats.bytes)}) from ${stats.dir}`;
}
