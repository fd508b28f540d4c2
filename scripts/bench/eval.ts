/**
 * The cost of `evaluate()` itself: 10,000 trivial cases (one exact-match scorer) at
 * concurrency 64 inside a trial run, which writes a `case_result` per case and the
 * aggregates, against the same task and scorer over the same cases in a plain Promise pool
 * of 64 that writes nothing. Rounds interleave so machine load hits both alike.
 *   a task that returns at once: overhead per case = (evaluate - pool) / cases   target ≤ 20 µs
 *   a task that waits 1 ms (a trivial I/O): evaluate / pool (the floor)         target ≤ 1.5x
 * (With an instant task the pool costs ~0.3 µs a case, so no ratio to it can be small:
 * writing one JSON line costs more. The ratio is taken where a task does some waiting.)
 * Also reported: a prompt rendered per case (prompt versions on), and `dataset(rows)`
 * (ids by content hash) per case, apart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dataset, evaluate, exactMatch, Experiment, Project, type Dataset, type Scorer } from "../../src/index";
import { makePrompt } from "../../src/eval/prompt";
import { withRun } from "../../src/tracking/context";
import { median, report } from "./harness";

const CASES = 10_000;
const CONCURRENCY = 64;
const ROUNDS = 7;

/** The same task and scorer over the cases in a plain pool of `CONCURRENCY` promises, nothing written. */
function plainPool(data: Dataset, task: (input: unknown) => Promise<unknown>, exact: Scorer): () => Promise<void> {
  return async () => {
    let next = 0;
    let sum = 0;
    const worker = async () => {
      while (next < data.length) {
        const c = data[next++]!;
        const output = await task(c.input);
        const s = await exact({ input: c.input, output, expected: c.expected, metadata: c.metadata });
        sum += s === true ? 1 : 0;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    if (sum !== data.length) throw new Error(`the pool scored ${sum} of ${data.length}`);
  };
}

/** Median wall time (ms) of each variant, measured in interleaved rounds. */
async function interleavedMs<K extends string>(fns: Record<K, () => Promise<unknown>>, rounds: number): Promise<Record<K, number>> {
  const keys = Object.keys(fns) as K[];
  const samples = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (const k of keys) await fns[k]();
  for (let r = 0; r < rounds; r++) {
    for (const k of keys) {
      const t0 = performance.now();
      await fns[k]();
      samples[k].push(performance.now() - t0);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, median(samples[k])])) as Record<K, number>;
}

export async function benchEval(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "scry-bench-eval-"));
  try {
    const project = Project.init(dir, { name: "bench" });
    const run = new Experiment(project, "eval").createRun();
    const rows = Array.from({ length: CASES }, (_, i) => ({ id: `c${i}`, input: `answer ${i}`, expected: `answer ${i}` }));
    const data = dataset(rows);
    const exact = exactMatch();
    const ask = makePrompt("ask", "Answer {{q}}");
    const instant = async (input: unknown) => input;
    const oneMs = (input: unknown) => new Promise((r) => setTimeout(() => r(input), 1));
    const rendered = async (input: unknown) => (ask.render({ q: input }), input);
    const evaluated = (task: (input: unknown) => Promise<unknown>) => () =>
      withRun(run, async () => {
        const { summary } = await evaluate({ data, task, scores: { exact }, concurrency: CONCURRENCY, resume: false, progress: false });
        if (summary.scores.exact!.mean !== 1 || summary.ran !== CASES) throw new Error("evaluate did not score every case");
      });

    // A task that returns at once: what is left is scryptorum's own work per case.
    const z = await interleavedMs({ floor: plainPool(data, instant, exact), evaluate: evaluated(instant), prompt: evaluated(rendered) }, 9);
    const perCase = ((z.evaluate - z.floor) * 1000) / CASES;
    report({ name: `plain Promise pool, ${CASES} instant cases, concurrency ${CONCURRENCY}`, value: z.floor, unit: "ms" });
    report({ name: `evaluate(), ${CASES} instant cases, concurrency ${CONCURRENCY}, in a run`, value: z.evaluate, unit: "ms", ratio: z.evaluate / z.floor, baseline: "pool" });
    report({ name: "evaluate() overhead per case (all but task and scorer)", value: perCase, unit: "µs/case", target: "≤ 20 µs", ok: perCase <= 20 });
    report({ name: "  … with a prompt rendered per case (prompt versions)", value: ((z.prompt - z.floor) * 1000) / CASES, unit: "µs/case" });

    // A task that waits 1 ms (the shortest I/O): the whole eval against the pool.
    const w = await interleavedMs({ floor: plainPool(data, oneMs, exact), evaluate: evaluated(oneMs) }, 5);
    report({ name: `plain Promise pool, ${CASES} 1-ms cases, concurrency ${CONCURRENCY} (floor)`, value: w.floor, unit: "ms" });
    report({ name: `evaluate(), ${CASES} 1-ms cases, concurrency ${CONCURRENCY}, in a run`, value: w.evaluate, unit: "ms", ratio: w.evaluate / w.floor, baseline: "floor", target: "≤ 1.5x", ok: w.evaluate / w.floor <= 1.5 });

    const t0 = performance.now();
    for (let r = 0; r < 3; r++) dataset(rows.map(({ id: _id, ...rest }) => rest));
    report({ name: "dataset(rows) without ids (content-hash ids), per case", value: ((performance.now() - t0) * 1000) / (3 * CASES), unit: "µs/case" });
    run.finish();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
