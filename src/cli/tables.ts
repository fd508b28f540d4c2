/**
 * Terminal building blocks for the results commands (show, compare, diff, check): aligned
 * tables that fit a width, colours that vanish without a TTY or with NO_COLOR, and signed
 * deltas (the units themselves are src/units.ts). Pure: strings in, strings out.
 */
import { formatCost, formatCount, formatMs, formatValue, terminalWidth } from "../units";
import { colorEnabled } from "./output";

export type Color = "red" | "green" | "yellow" | "cyan" | "dim" | "bold";
const CODES: Record<Color, [number, number]> = { red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39], dim: [2, 22], bold: [1, 22] };

/** How a view is drawn: its width and whether it may colour. */
export interface ViewOptions {
  width: number;
  color: boolean;
}

/** Wraps text in an ANSI colour when `on`. */
export function paint(text: string, color: Color | undefined, on: boolean): string {
  if (!on || !color || text === "") return text;
  const [open, close] = CODES[color];
  return `\x1b[${open}m${text}\x1b[${close}m`;
}

// Zero-width: combining marks, zero-width joiner/space, variation selectors, emoji modifiers (skin tones).
const ZERO_WIDTH = /^(?:\p{Mn}|\p{Me}|\p{Cf}|[\u{FE00}-\u{FE0F}\u{1F3FB}-\u{1F3FF}\u{E0100}-\u{E01EF}])$/u;
// Two columns: the East Asian Wide/Fullwidth blocks (CJK, Hangul, kana, fullwidth forms).
const WIDE = /^[\u{1100}-\u{115F}\u{2E80}-\u{303E}\u{3041}-\u{33FF}\u{3400}-\u{4DBF}\u{4E00}-\u{9FFF}\u{A000}-\u{A4CF}\u{A960}-\u{A97F}\u{AC00}-\u{D7A3}\u{F900}-\u{FAFF}\u{FE30}-\u{FE4F}\u{FF00}-\u{FF60}\u{FFE0}-\u{FFE6}\u{1B000}-\u{1B2FF}\u{20000}-\u{3FFFD}]$/u;
const EMOJI = /^\p{Emoji_Presentation}$/u;
const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;

/** Columns one character takes in a terminal (0, 1 or 2); `next` is the character after it (U+FE0F asks for emoji form). */
function charWidth(ch: string, next: string | undefined): number {
  const code = ch.codePointAt(0)!;
  if (code < 0x300) return code < 0x20 || (code >= 0x7f && code < 0xa0) ? 0 : 1; // ASCII and Latin: the common case
  if (ZERO_WIDTH.test(ch)) return 0;
  if (WIDE.test(ch) || EMOJI.test(ch) || (next === "\u{FE0F}" && PICTOGRAPHIC.test(ch))) return 2;
  return 1;
}

/**
 * The columns `text` takes in a terminal: CJK and emoji count 2, combining marks 0.
 *
 * @example
 * displayWidth("accuracy") // 8
 * displayWidth("精度") // 4
 * displayWidth("🎯 hit") // 6
 */
export function displayWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes take no column
  const chars = [...text.replace(/\x1b\[[0-9;]*m/g, "")];
  let width = 0;
  for (let i = 0; i < chars.length; i++) width += charWidth(chars[i]!, chars[i + 1]);
  return width;
}

/** The longest start of `text` that takes at most `width` columns. */
function takeColumns(text: string, width: number): string {
  let out = "";
  let used = 0;
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const w = charWidth(chars[i]!, chars[i + 1]);
    if (used + w > width) break;
    out += chars[i];
    used += w;
  }
  return out;
}

/** The longest end of `text` that takes at most `width` columns. */
function takeColumnsFromEnd(text: string, width: number): string {
  let out = "";
  let used = 0;
  const chars = [...text];
  for (let i = chars.length - 1; i >= 0; i--) {
    const w = charWidth(chars[i]!, chars[i + 1]);
    if (used + w > width) break;
    out = chars[i] + out;
    used += w;
  }
  return out;
}

/** Pads `text` with spaces to `width` columns (display width, so CJK and emoji line up). */
export function padColumns(text: string, width: number, align: "left" | "right" = "left"): string {
  const room = width - displayWidth(text);
  if (room <= 0) return text;
  return align === "right" ? " ".repeat(room) + text : text + " ".repeat(room);
}

/** Cuts text to `width` columns, ending with "…" when cut. */
export function clip(text: string, width: number): string {
  if (width <= 0) return "";
  const flat = text.replace(/\s*\n\s*/g, " ⏎ ");
  return displayWidth(flat) <= width ? flat : `${takeColumns(flat, Math.max(0, width - 1))}…`;
}

/** Cuts text to `width` columns keeping its start and more of its end ("ms-2…120001"): ids differ at the end. */
export function clipMiddle(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width < 5) return clip(text, width);
  const head = Math.max(2, Math.floor((width - 1) / 3));
  return `${takeColumns(text, head)}…${takeColumnsFromEnd(text, width - 1 - head)}`;
}

/** Wraps a message to `width`, later lines indented by `indent` spaces. */
export function wrap(text: string, width: number, indent = 2): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/ +/)) {
    const room = width - (lines.length ? indent : 0);
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : " ".repeat(indent) + l));
}

export type Cell = string | { text: string; color?: Color };
export interface Column {
  header: string;
  align?: "left" | "right";
  /** Columns that may be cut to fit the width, down to this many characters. */
  min?: number;
  /** Where a cut header or cell loses characters: the end (default) or the middle (ids). */
  cut?: "end" | "middle";
}

const textOf = (c: Cell) => (typeof c === "string" ? c : c.text);

/**
 * An aligned table with a header line; shrinkable columns are cut ("…") to fit `width`.
 *
 * @example
 * renderTable([{ header: "NAME", min: 8 }, { header: "VALUE", align: "right" }], [["accuracy", "0.91"]], { width: 80, color: false });
 * // ["NAME      VALUE", "accuracy   0.91"]
 */
export function renderTable(columns: readonly Column[], rows: readonly Cell[][], view: ViewOptions, indent = ""): string[] {
  const widths = columns.map((c, i) => Math.max(displayWidth(c.header), ...rows.map((r) => displayWidth(textOf(r[i] ?? "")))));
  const total = () => indent.length + widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  // Too wide: narrow the widest shrinkable column, one character at a time, down to its min.
  while (total() > view.width) {
    let widest = -1;
    columns.forEach((c, i) => {
      if (c.min !== undefined && widths[i]! > c.min && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    });
    if (widest < 0) break;
    widths[widest]!--;
  }
  const line = (cells: readonly Cell[], header: boolean) =>
    indent +
    columns
      .map((c, i) => {
        const cell = cells[i] ?? "";
        const text = (c.cut === "middle" && header ? clipMiddle : clip)(textOf(cell), widths[i]!);
        const padded = c.align === "right" ? padColumns(text, widths[i]!, "right") : i === columns.length - 1 ? text : padColumns(text, widths[i]!);
        return paint(padded, header ? "dim" : typeof cell === "string" ? undefined : cell.color, view.color);
      })
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header), true), ...rows.map((r) => line(r, false))];
}

/** A section title. */
export function title(text: string, view: ViewOptions): string {
  return paint(text, "bold", view.color);
}

/** A signed delta ("+0.05", "-3", "±0"); "" when there is none. */
export function formatDelta(d: number | null | undefined, unit: "value" | "ms" | "count" | "usd" = "value"): string {
  if (d === null || d === undefined) return "";
  if (d === 0) return "±0";
  const sign = d > 0 ? "+" : "-";
  const a = Math.abs(d);
  const body = unit === "ms" ? formatMs(a) : unit === "count" ? formatCount(a) : unit === "usd" ? formatCost(a) : formatValue(a);
  return `${sign}${body}`;
}


/** How the current process's stdout is drawn: its width, and colour only on a TTY without NO_COLOR. */
export function stdoutView(): ViewOptions {
  return { width: terminalWidth(process.stdout), color: colorEnabled(process.stdout) };
}
