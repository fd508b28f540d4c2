/**
 * The peer benchmark proper (run.ts starts it): tracking overhead of a trivial sync and
 * async function, logging a 1 KB LLM call, and CLI start-up, scryptorum against weave,
 * Braintrust, Langfuse and promptfoo, interleaved, medians, ratios. Prints a Markdown
 * block; `--write` also puts it in the root BENCHMARKS.md between the markers.
 */
import { refused } from "./guard"; // first: fences the network before any peer loads
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { describeMachine } from "./machine";
import { braintrust, langfuse, PEERS_DIR, scryptorum, versionOf, weave, type Tracker } from "./peers";
import { markdown, table, type Row } from "./report";
import { interleavedRounds, median, pairedOverhead, type Samples, type Variant } from "./rounds";
import { benchEvalPeers } from "./eval";
import { benchStartup, promptfooCommand, scryptorumCommand } from "./startup";

const ROUNDS = 21;
const EVAL_ROUNDS = 5;
const CLI_ROUNDS = 9;
const WARMUP = 2;
const SCRY_OPS = { sync: 20_000, async: 10_000, llm: 5_000 };
// Under the Langfuse batch processor's default queue (2,048 spans), so nothing is dropped.
const PEER_OPS = 1_500;

const started = performance.now();
const write = process.argv.includes("--write");
const machine = describeMachine();
const na: { name: string; reason: string }[] = [];

/** The 1,000-case eval through scryptorum's CLI and promptfoo's (`--eval-only`: just this). */
function evalRows(): Row[] {
  process.stderr.write(`eval of 1,000 cases through each CLI, ${EVAL_ROUNDS} rounds…\n`);
  const s = scryptorumCommand();
  if (s.na) {
    na.push({ name: "scryptorum run", reason: s.na });
    return [];
  }
  const r = benchEvalPeers(EVAL_ROUNDS, s.argv[0]!, promptfooCommand());
  na.push(...r.na);
  return r.rows;
}

if (process.argv.includes("--eval-only")) {
  const rows = evalRows();
  console.log(table(rows));
  if (na.length) console.log(["", "n/a:", "", ...na.map((n) => `- ${n.name}: ${n.reason}`)].join("\n"));
  console.log(`\npromptfoo ${versionOf("promptfoo")}, ${machine.nproc} cores, ${machine.cpu}; ${((performance.now() - started) / 1000).toFixed(0)} s`);
  process.exit(refused.length > 0 ? 1 : 0);
}

const scry = await scryptorum();
const peers: Tracker[] = [];
for (const [name, setup] of [["weave", weave], ["braintrust", braintrust], ["langfuse", langfuse]] as const) {
  try {
    peers.push(await setup());
  } catch (error) {
    na.push({ name, reason: `set-up failed: ${(error as Error).message.split("\n")[0]}` });
  }
}

const work = (x: number) => x + 1;
const awork = async (x: number) => x + 1;

function section(kind: "sync" | "async" | "llm"): Record<string, Variant> {
  const v: Record<string, Variant> = {};
  if (kind === "sync") v.direct = { ops: SCRY_OPS.sync, call: work, async: false };
  if (kind === "async") v.direct = { ops: SCRY_OPS.async, call: awork, async: true };
  const scryCall = kind === "sync" ? scry.wrapSync(work) : kind === "async" ? scry.wrapAsync(awork) : scry.llm;
  v.scryptorum = { ops: SCRY_OPS[kind], call: scryCall, async: kind === "async", flush: scry.flush };
  for (const p of peers) {
    const call = kind === "sync" ? p.wrapSync(work) : kind === "async" ? p.wrapAsync(awork) : p.llm;
    const isAsync = kind === "sync" ? !p.syncStaysSync : kind === "async" ? true : p.llmAsync;
    v[p.name] = { ops: PEER_OPS, call, async: isAsync, flush: () => p.flush(), after: p.after ? () => p.after!() : undefined };
  }
  return v;
}

function spread(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number) => s[Math.min(s.length - 1, Math.floor(f * (s.length - 1)))]!;
  return (q(0.75) - q(0.25)) / median(s);
}

/** The overhead figures (ns) and their spread, from one section's samples. */
function overheads(samples: Samples, baseline?: string): Record<string, { ns: number; spread: number }> {
  const out: Record<string, { ns: number; spread: number }> = {};
  for (const [name, xs] of Object.entries(samples)) {
    if (name === baseline) continue;
    const ys = baseline ? xs.map((x, i) => x - samples[baseline]![i]!) : xs;
    out[name] = { ns: baseline ? pairedOverhead(xs, samples[baseline]!) : median(xs), spread: spread(ys) };
  }
  return out;
}

process.stderr.write(`peer benchmark: ${peers.map((p) => p.name).join(", ") || "no peer"} against scryptorum, ${ROUNDS} rounds…\n`);
let figures: Record<"sync" | "async" | "llm", ReturnType<typeof overheads>>;
const recorded: { name: string; expected: number; got: number }[] = [];
const calls = (ops: number) => ops * (ROUNDS + WARMUP);
try {
  figures = await scry.inRun(async () => ({
    sync: overheads(await interleavedRounds(section("sync"), ROUNDS, WARMUP), "direct"),
    async: overheads(await interleavedRounds(section("async"), ROUNDS, WARMUP), "direct"),
    llm: overheads(await interleavedRounds(section("llm"), ROUNDS, WARMUP)),
  }));
  // Every tracker must have kept one record per call; one that drops calls is not measured.
  recorded.push({ name: "scryptorum", expected: calls(SCRY_OPS.sync) + calls(SCRY_OPS.async) + calls(SCRY_OPS.llm), got: await scry.recorded() });
  for (const p of peers) recorded.push({ name: p.name, expected: 3 * calls(PEER_OPS), got: await p.recorded() });
} finally {
  for (const p of peers) await p.close();
  await scry.close();
}

const rows: Row[] = [];
const measures = [
  ["sync", "tracking a trivial sync function, overhead per call"],
  ["async", "tracking a trivial async function, overhead per call"],
  ["llm", "logging a 1 KB LLM call, per call"],
] as const;
for (const [kind, measure] of measures) {
  const s = figures[kind].scryptorum!;
  for (const p of peers) {
    const f = figures[kind][p.name]!;
    const note = kind === "sync" && !p.syncStaysSync ? "(its wrapper returns a Promise: awaited)" : undefined;
    rows.push({ measure, peer: p.name, unit: "µs", peerValue: f.ns / 1000, scryValue: s.ns / 1000, peerSpread: f.spread, scrySpread: s.spread, goal: true, note });
  }
  for (const n of na) rows.push({ measure, peer: n.name, unit: "µs", scryValue: s.ns / 1000, na: n.reason });
}


process.stderr.write(`CLI start-up, ${CLI_ROUNDS} rounds…\n`);
const cli = benchStartup(CLI_ROUNDS);
const cliScry = cli.commands[0]!;
for (const c of cli.commands.slice(1)) {
  if (c.na) na.push({ name: c.name, reason: c.na });
  rows.push({
    measure: "CLI start-up, wall time",
    peer: c.name === "promptfoo --version" ? "promptfoo --version" : "citty hello-world --help (the floor)",
    unit: "ms",
    peerValue: cli.ms[c.name],
    scryValue: cli.ms[cliScry.name],
    na: c.na ?? cliScry.na,
    note: undefined,
  });
}
if (cliScry.na) na.push({ name: cliScry.name, reason: cliScry.na });
rows.push(...evalRows());

const versions = [
  ...["weave", "braintrust", "@langfuse/tracing", "@langfuse/otel", "@opentelemetry/sdk-trace-node", "promptfoo", "citty"].map((name) => ({ name, version: versionOf(name) })),
];
const block = markdown({
  machine,
  loadEnd: loadavg(),
  fence: process.env.PEERS_FENCE ?? "in-process guard only (started without run.ts)",
  refused,
  rows,
  recorded,
  na,
  versions,
  modes: [
    { name: "scryptorum", mode: scry.mode },
    ...peers.map((p) => ({ name: p.name, mode: `${p.mode}; LLM call: ${p.llmNote}` })),
  ],
  rounds: { tracking: ROUNDS, cli: CLI_ROUNDS, ops: `${SCRY_OPS.sync.toLocaleString("en")} sync, ${SCRY_OPS.async.toLocaleString("en")} async and ${SCRY_OPS.llm.toLocaleString("en")} LLM calls per scryptorum round, ${PEER_OPS.toLocaleString("en")} per peer round` },
  seconds: (performance.now() - started) / 1000,
});
console.log(block);

if (write) {
  const file = join(PEERS_DIR, "..", "..", "BENCHMARKS.md");
  const start = "<!-- peers:results:start -->";
  const end = "<!-- peers:results:end -->";
  const text = existsSync(file) ? readFileSync(file, "utf8") : `${start}\n${end}\n`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a === -1 || b < a) throw new Error(`${file} has no ${start} … ${end} markers: add them where the results go`);
  writeFileSync(file, `${text.slice(0, a + start.length)}\n${block}\n${text.slice(b)}`);
  process.stderr.write(`wrote ${file}\n`);
}
const bad = recorded.filter((r) => r.got !== r.expected);
if (refused.length > 0 || bad.length > 0) {
  process.stderr.write(`peer benchmark: ${refused.length} refused connection(s), ${bad.length} tracker(s) that did not record every call\n`);
  process.exit(1);
}
process.exit(0);
