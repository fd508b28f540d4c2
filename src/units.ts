/**
 * Units for people: durations, times, bytes, costs, counts and the terminal's width, one
 * rule each, used by the CLI's views, `scryptorum cache`, the snapshot's messages and the
 * viewer (and so the static report). Pure, no imports: the viewer bundles it for the browser.
 */

/** Seconds as "850ms", "12.3s", "4m 05s" or "2h 03m"; "-" when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds)) return "-";
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${(Math.round(seconds * 10) / 10).toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Milliseconds as "0.42ms", "12.3ms", then as `formatDuration` ("1.2s", "4m 05s"); "-" when unknown. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "-";
  if (ms < 1) return `${Number(ms.toPrecision(2))}ms`;
  if (ms < 1000) return `${Number(ms.toPrecision(3))}ms`;
  return formatDuration(ms / 1000);
}

/**
 * Bytes in binary units, as the snapshot's size limit is given ("1 MiB"): "812 B",
 * "48.2 KiB", "3.1 MiB"; an exact multiple without decimals ("1 MiB", "512 KiB").
 *
 * @example
 * formatBytes(1048576); // "1 MiB"
 * formatBytes(49_357);  // "48.2 KiB"
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "-";
  if (Math.abs(bytes) < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Dollars: 4 decimals under $1, 2 above; "-" when unknown. */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return "-";
  return `$${usd.toFixed(Math.abs(usd) < 1 ? 4 : 2)}`;
}

/** A whole number with thousands separators; "-" when unknown. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? "-" : n.toLocaleString("en-US");
}

/** A metric value: numbers to at most 4 significant digits, everything else as short JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === "number") {
    if (Number.isInteger(value)) return String(value);
    return String(Number(value.toPrecision(4)));
  }
  if (typeof value === "string") return value.length > 24 ? `${value.slice(0, 23)}…` : value;
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 24 ? `${json.slice(0, 23)}…` : json;
}

/**
 * An ISO timestamp in local time (the files keep UTC): "YYYY-MM-DD HH:MM", or "MM-DD HH:MM"
 * with `short` (as `ls -l` drops the current year); "-" when missing. Label it with
 * `formatZone`: it is local time, not UTC.
 */
export function formatTime(iso: string | undefined, short = false): string {
  if (!iso) return "-";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, "0");
  const day = `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  return short ? day : `${d.getFullYear()}-${day}`;
}

/**
 * The local time zone's offset at an ISO timestamp, as `formatTime` shows times in local
 * time: "UTC" when the offset is zero, else "UTC-05:00" / "UTC+05:30"; "" when missing.
 *
 * @example
 * formatZone("2026-01-15T12:00:00Z"); // "UTC-05:00" under TZ=America/New_York
 */
export function formatZone(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const offset = -d.getTimezoneOffset();
  if (offset === 0) return "UTC";
  const a = Math.abs(offset);
  return `UTC${offset < 0 ? "-" : "+"}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

/**
 * The width to draw for: a terminal's columns, else `$COLUMNS` (set by shells and by CI
 * for piped output), else 80; kept within 40..160 so lines stay readable.
 *
 * @example
 * terminalWidth(process.stdout); // 120 in a 120-column terminal, 80 when piped
 */
export function terminalWidth(stream: { columns?: number; isTTY?: boolean } = process.stdout, env: Record<string, string | undefined> = process.env): number {
  const columns = stream.isTTY && stream.columns ? stream.columns : Number(env.COLUMNS) || 80;
  return Math.max(40, Math.min(columns, 160));
}
