/**
 * The per-event path: `run.logLlmCall` of a 1 KB call against two floors measured in the
 * same run, and the overhead of `timer()(fn)` inside a run.
 *   floor a: build the same record (ISO timestamp included) and JSON.stringify it into memory
 *   floor b: floor a plus appending the bytes to a file in 256 KiB writes
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Experiment, Project, timer } from "../../src/index";
import { withRun } from "../../src/tracking/context";
import { interleaved, interleavedAsync, report } from "./harness";

export async function benchHotPath(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "scry-bench-"));
  try {
    const project = Project.init(dir, { name: "bench", gitignore: false });
    const exp = new Experiment(project, "hot");
    const run = exp.createRun("trial");
    const input = "q".repeat(480);
    const output = "a".repeat(480);
    const usage = { prompt_tokens: 120, completion_tokens: 120, total_tokens: 240 };
    const N = 200_000;

    const record = (i: number) => ({
      timestamp: new Date().toISOString(),
      run_id: "trial_run",
      event_type: "llm_call",
      model: "gpt-4o-mini",
      input,
      output,
      duration_ms: i,
      span_id: "0123456789abcd",
      usage: { input_tokens: 120, output_tokens: 120, total_tokens: 240 },
    });
    let sink = 0;
    const fd = openSync(join(dir, "floor.jsonl"), "a");
    let buf = "";
    const r = interleaved(
      {
        // floor a: the record itself, into memory.
        floorA: (i) => {
          sink += JSON.stringify(record(i)).length;
        },
        // floor b: the same plus 256 KiB appends to a file.
        floorB: (i) => {
          buf += JSON.stringify(record(i)) + "\n";
          if (buf.length >= 256 * 1024) {
            writeSync(fd, buf);
            buf = "";
          }
        },
        llm: (i) => {
          run.logLlmCall({ model: "gpt-4o-mini", input, output, durationMs: i, usage });
        },
      },
      50_000,
    );
    closeSync(fd);
    report({ name: "floor a: build 1 KB record + JSON.stringify", value: r.floorA, unit: "ns/op" });
    report({ name: "floor b: floor a + append in 256 KiB writes", value: r.floorB, unit: "ns/op" });
    report({
      name: "run.logLlmCall, 1 KB llm_call",
      value: r.llm,
      unit: "ns/op",
      ratio: r.llm / r.floorB,
      baseline: "floor b",
      target: "<= 1.3x floor b",
      ok: r.llm / r.floorB <= 1.3,
    });

    // timer()(fn) inside a run, minus a direct call.
    const work = (x: number) => x + 1;
    const timed = timer("work")(work);
    const t = withRun(run, () =>
      interleaved(
        {
          direct: (i) => {
            sink += work(i);
          },
          wrapped: (i) => {
            sink += timed(i);
          },
        },
        100_000,
      ),
    );
    const overhead = t.wrapped - t.direct;
    report({ name: "timer()(fn) sync, inside a run, minus a direct call", value: overhead, unit: "ns/call", target: "<= 500 ns", ok: overhead <= 500 });

    const awork = async (x: number) => x + 1;
    const atimed = timer("awork")(awork);
    const at = await withRun(run, () =>
      interleavedAsync(
        {
          direct: async (i) => {
            sink += await awork(i);
          },
          wrapped: async (i) => {
            sink += await atimed(i);
          },
        },
        50_000,
      ),
    );
    const aoverhead = at.wrapped - at.direct;
    report({ name: "timer()(fn) async, inside a run, minus a direct call", value: aoverhead, unit: "ns/call", target: "<= 700 ns", ok: aoverhead <= 700 });
    run.finish();
    if (sink === 42) console.log("");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchHotPath();
