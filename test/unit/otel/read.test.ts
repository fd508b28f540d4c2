import { describe, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../helpers/project";
import { readRunTrace, streamRunTrace } from "../../../src/otel/read";
import type { TraceSpan } from "../../../src/otel/mapping";

function runDir(lines: number, extra = ""): string {
  const dir = join(tempDir(), "run");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "run.json"), JSON.stringify({ format: 1, run_id: "r1", run_type: "trial", experiment: "e", project: "p", status: "finished", started_at: "2026-01-01T00:00:00.000Z", finished_at: "2026-01-01T00:01:00.000Z", pid: 1, hostname: "h", argv: [], config: {}, tags: [], scryptorum_version: "0" }));
  const text: string[] = [];
  // Long lines with multi-byte text, so that lines and UTF-8 sequences cross the 1 MiB read chunks.
  for (let i = 0; i < lines; i++) text.push(JSON.stringify({ timestamp: "2026-01-01T00:00:30.000Z", run_id: "r1", event_type: "llm_call", model: "m", input: `é…${"ü".repeat(i % 700)}`, duration_ms: 1, span_id: `s-${i}` }));
  writeFileSync(join(dir, "run.jsonl"), text.join("\n") + "\n" + extra);
  return dir;
}

describe("streamRunTrace", () => {
  test("the same spans as readRunTrace, in batches, the root last; lines across read chunks", async () => {
    const dir = runDir(5000);
    const batches: TraceSpan[][] = [];
    const n = await streamRunTrace(dir, { includeContent: true }, 1000, async (b) => void batches.push(b));
    expect(n).toBe(5001);
    expect(batches.slice(0, -1).every((b) => b.length >= 1000)).toBe(true);
    const streamed = batches.flat();
    expect(streamed.at(-1)!.name).toBe("invoke_workflow e");
    const whole = readRunTrace(dir, { includeContent: true });
    expect(streamed.length).toBe(whole.length);
    expect(new Map(streamed.map((s) => [s.spanId, s]))).toEqual(new Map(whole.map((s) => [s.spanId, s])));
  });

  test("a torn last line (no newline) is skipped with one warning; a whole last line without a newline is read", async () => {
    const torn = runDir(3, '{"timestamp":"2026-01-01T00:00:30.000Z","event_type":"llm_ca');
    let n = await streamRunTrace(torn, {}, 1000, async () => {});
    expect(n).toBe(4);
    const whole = runDir(3);
    appendFileSync(join(whole, "run.jsonl"), JSON.stringify({ timestamp: "2026-01-01T00:00:31.000Z", event_type: "llm_call", model: "x", duration_ms: 1, span_id: "last" }));
    n = await streamRunTrace(whole, {}, 1000, async () => {});
    expect(n).toBe(5);
  });
});
