/**
 * Datasets stream through the compiled binary: an evaluation of a dataset file holds the
 * cases in flight, not the file, so its peak memory stays where a file ten times smaller
 * puts it; `results` are read back from run.jsonl when asked for; CSV streams too.
 */
import { beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, tempDir, testEnv, writeFiles } from "../helpers/cli";
import { writeDataset } from "../../scripts/bench/eval-memory";

beforeAll(async () => {
  await ensureBinary();
});

const jsonl = (path: string): any[] => readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));

/** `n` cases, each with a 20 KB field. */
const writeBig = (file: string, n: number) => writeDataset(file, n, 20_000);

/** Occurrences of `needle` in a file, without holding its lines. */
function countIn(file: string, needle: string): number {
  const bytes = readFileSync(file);
  let n = 0;
  for (let i = bytes.indexOf(needle); i !== -1; i = bytes.indexOf(needle, i + needle.length)) n++;
  return n;
}

test("a dataset file 10x larger (3,000 cases of 20 KB: 60 MB) peaks at about the memory of the 6 MB one", async () => {
  const binary = await ensureBinary();
  const dir = tempDir("scry-stream-");
  expect((await bin(["init", "--project-name", "s"], { cwd: dir })).code).toBe(0);
  const exp = join(dir, "experiments", "s", "experiments", "big");
  writeFiles(dir, {
    "eval.ts": `import { dataset, evaluate, exactMatch } from "scryptorum";
export default async function main() {
  const { summary } = await evaluate({ data: dataset(process.env.DS!), task: (input: { q: number }) => String(input.q), scores: { exact: exactMatch() }, concurrency: 8 });
  if (summary.ran !== Number(process.env.N) || summary.scores.exact!.mean !== 1) throw new Error("not every case ran: " + JSON.stringify(summary));
  // This process's own peak: VmHWM (rusage's maxRSS carries a larger parent's peak over fork and exec).
  console.log(JSON.stringify({ maxRssKb: Number(/VmHWM:\\s+(\\d+)/.exec(require("node:fs").readFileSync("/proc/self/status", "utf8"))![1]) }));
}
`,
  });
  writeFiles(exp, { "data/.keep": "" });
  const sizes = { small: 300, large: 3000 };
  for (const [name, n] of Object.entries(sizes)) writeBig(join(exp, "data", `${name}.jsonl`), n);
  const peak: Record<string, number> = {};
  for (const [name, n] of Object.entries(sizes)) {
    const proc = Bun.spawn([binary, "run", "big", "-m", "eval.ts", "--milestone", "--run-id", name], { cwd: dir, env: testEnv({ DS: name, N: String(n), SCRYPTORUM_PROGRESS: "0" }), stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect({ code, stderr: stderr.replace(/^ℹ started .*\n/, "") }).toEqual({ code: 0, stderr: "" });
    peak[name] = JSON.parse(stdout.split("\n").find((l) => l.startsWith('{"maxRssKb"'))!).maxRssKb * 1024;
    const log = join(exp, "runs", name, "run.jsonl");
    expect(countIn(log, '"event_type":"case_result"')).toBe(n);
  }
  // Read whole, the large file alone would add well over 120 MB (its text and its cases).
  const ratio = peak.large! / peak.small!;
  console.log(`peak RSS: ${sizes.small} cases ${(peak.small! / 2 ** 20).toFixed(1)} MB, ${sizes.large} cases ${(peak.large! / 2 ** 20).toFixed(1)} MB (${ratio.toFixed(2)}x)`);
  expect(ratio).toBeLessThan(1.5);
}, 60_000);

test("a streamed evaluation's results are read back from run.jsonl; CSV streams; a dataset whose cases were used is evaluated as the array it is", async () => {
  const dir = tempDir("scry-stream-");
  expect((await bin(["init", "--project-name", "s"], { cwd: dir })).code).toBe(0);
  const exp = join(dir, "experiments", "s", "experiments", "qa");
  const rows = Array.from({ length: 40 }, (_, i) => JSON.stringify({ id: `q${i}`, input: { a: i }, expected: String(i * 2) }));
  writeFiles(exp, {
    "data/qa.jsonl": `${rows.join("\n")}\n`,
    "data/topics.csv": 'id,input,expected,topic\nt1,"hello, world",HELLO,greet\nt2,"two\nlines",TWO,misc\nt3,bye,nope,greet\n',
  });
  writeFiles(dir, {
    "eval.ts": `import { dataset, evaluate, exactMatch } from "scryptorum";
export default async function main() {
  const a = await evaluate({ data: dataset("qa"), task: (input: { a: number }) => String(input.a * 2), scores: { exact: exactMatch() }, concurrency: 4 });
  const b = await evaluate({ data: "topics", task: (input: string) => input.split(/[\\s,]/)[0]!.toUpperCase(), scores: { exact: exactMatch() }, concurrency: 2 });
  const touched = dataset("qa");
  const n = touched.length; // the cases are read: evaluate() takes the array
  touched.splice(10);
  const c = await evaluate({ data: touched, task: (input: { a: number }) => String(input.a * 2), scores: { exact: exactMatch() }, resume: false });
  console.log(JSON.stringify({ a: a.results, b: b.results, c: c.results.length, n, summaries: [a.summary.dataset, b.summary.dataset, c.summary.dataset], meanB: b.summary.scores.exact!.mean }));
}
`,
  });
  const r = await bin(["run", "qa", "-m", "eval.ts", "--milestone", "--run-id", "r1"], { cwd: dir, env: { SCRYPTORUM_PROGRESS: "0" } });
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith('{"a":'))!);
  const written = jsonl(join(exp, "runs", "r1", "run.jsonl")).filter((e) => e.event_type === "case_result");
  const strip = ({ timestamp: _t, run_id: _r, event_type: _e, ...rest }: any) => rest;
  // Each evaluation's results: its own records, as written, in order.
  expect(out.a).toEqual(written.slice(0, 40).map(strip));
  expect(out.b).toEqual(written.slice(40, 43).map(strip));
  expect(out.b.map((x: any) => [x.case_id, x.input, x.output, x.scores.exact])).toEqual([
    ["t1", "hello, world", "HELLO", 1],
    ["t2", "two\nlines", "TWO", 1],
    ["t3", "bye", "BYE", 0],
  ]);
  expect(out.c).toBe(10);
  expect(out.n).toBe(40);
  expect(out.summaries.map((d: any) => [d.name, d.cases])).toEqual([["qa", 40], ["topics", 3], ["qa", 10]]);
  expect(out.meanB).toBeCloseTo(2 / 3, 12);
  const started = jsonl(join(exp, "runs", "r1", "run.jsonl")).filter((e) => e.event_type === "eval_started");
  expect(started.map((e) => [e.dataset, e.cases, Object.keys(e.case_hashes).length])).toEqual([["qa", 40, 40], ["topics", 3, 3], ["qa", 10, 10]]);
  // The file's sha256 is the dataset's version, streamed or not.
  expect(started[0].dataset_hash).toBe(new Bun.CryptoHasher("sha256").update(readFileSync(join(exp, "data", "qa.jsonl"))).digest("hex"));
  expect(started[2].dataset_hash).toBe(started[0].dataset_hash);
});
