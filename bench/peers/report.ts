/** The results as a Markdown block: machine, table, what was recorded, n/a, noise. */
import type { Machine } from "./machine";

export interface Row {
  measure: string;
  peer: string;
  unit: "µs" | "ms" | "MB";
  peerValue?: number;
  scryValue?: number;
  /** Interquartile range over the median, of the peer's and scryptorum's samples. */
  peerSpread?: number;
  scrySpread?: number;
  na?: string;
  /** Whether the 10x goal applies (tracking rows). */
  goal?: boolean;
  note?: string;
}

export interface Block {
  machine: Machine;
  loadEnd: number[];
  fence: string;
  refused: string[];
  rows: Row[];
  recorded: { name: string; expected: number; got: number }[];
  na: { name: string; reason: string }[];
  versions: { name: string; version: string }[];
  modes: { name: string; mode: string }[];
  rounds: { tracking: number; cli: number; ops: string };
  seconds: number;
}

function num(v: number, unit: Row["unit"]): string {
  if (unit === "ms") return v >= 100 ? v.toFixed(0) : v.toFixed(1);
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

const pct = (s?: number) => (s === undefined ? "" : ` ±${Math.round(s * 50)}%`);

export function table(rows: Row[]): string {
  const out = [
    "| measure | peer | peer's figure | scryptorum's | peer ÷ scryptorum | ≥ 10x? |",
    "| --- | --- | ---: | ---: | ---: | :---: |",
  ];
  for (const r of rows) {
    if (r.na || r.peerValue === undefined || r.scryValue === undefined) {
      out.push(`| ${r.measure} | ${r.peer} | n/a | ${r.scryValue === undefined ? "n/a" : `${num(r.scryValue, r.unit)} ${r.unit}`} | n/a | |`);
      continue;
    }
    const ratio = r.peerValue / r.scryValue;
    const goal = r.goal ? (ratio >= 10 ? "yes" : "**no**") : "";
    out.push(
      `| ${r.measure} | ${r.peer}${r.note ? ` ${r.note}` : ""} | ${num(r.peerValue, r.unit)} ${r.unit}${pct(r.peerSpread)} | ${num(r.scryValue, r.unit)} ${r.unit}${pct(r.scrySpread)} | ${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}x | ${goal} |`,
    );
  }
  return out.join("\n");
}

export function markdown(b: Block): string {
  const m = b.machine;
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" / ");
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} in one run of \`bun run bench:peers\` (${b.seconds.toFixed(0)} s, install excluded).`,
    "",
    `- machine: ${m.nproc} cores (\`nproc\`), ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}`,
    `- runtimes: Bun ${m.bun} (runs scryptorum and every peer SDK); Node ${m.node} on PATH; Node ${m.nodeForPromptfoo} (npm \`node\` package) runs promptfoo`,
    `- peers: ${b.versions.map((v) => `${v.name} ${v.version}`).join(", ")}`,
    `- rounds: ${b.rounds.tracking} measured tracking rounds (after 2 warm-up rounds), ${b.rounds.ops}; ${b.rounds.cli} CLI rounds (after 2 warm-up rounds); every figure is the median`,
    `- network: ${b.fence}; ${b.refused.length === 0 ? "no connection to a non-loopback address was attempted" : `refused: ${b.refused.join(", ")}`}`,
    `- load average (1/5/15 min) at start ${load(m.loadStart)}, at end ${load(b.loadEnd)}`,
    "",
    table(b.rows),
    "",
    "± is half the interquartile range of the round samples, relative to the median. Tracking figures are the",
    "wrapper's cost over a direct call of the same function (per-round paired difference); LLM-call figures are",
    "the whole per-call cost. Both include the tracker's export work for the round (flush, drain or upload).",
    "",
    "How each one records here:",
    "",
    ...b.modes.map((m) => `- ${m.name}: ${m.mode}`),
    "",
    "Records each tracker kept (all rounds, warm-up included), checked against the calls made:",
    "",
    ...b.recorded.map((r) => `- ${r.name}: ${r.got} of ${r.expected}${r.got === r.expected ? "" : " **(mismatch)**"}`),
  ];
  if (b.na.length > 0) lines.push("", "n/a:", "", ...b.na.map((n) => `- ${n.name}: ${n.reason}`));
  return lines.join("\n");
}
