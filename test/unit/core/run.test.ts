import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { Experiment } from "../../../src/core/experiment";
import { registry } from "../../../src/plugins/registry";
import { tempProject } from "../../helpers/project";

const lines = (file: string) => readFileSync(file, "utf8").trim().split("\n");
const noTime = (line: string) => line.replace(/"timestamp":"[^"]+"/, '"timestamp":"T"');

test("logEventFields writes the line logEvent writes (small, empty, over 64 KiB, odd characters), without copying the record", () => {
  const { project } = tempProject();
  const run = new Experiment(project, "e").createRun();
  const records: Record<string, unknown>[] = [
    { case_id: "c1", trial: 0, input: "é \"q\" \n 😀 \ud800", output: null, scores: { exact: 1 }, duration_ms: 0.25, expected: "x" },
    {},
    { big: "y".repeat(70_000), n: [1, 2] },
    { nested: { a: [1, { b: undefined }] }, skipped: undefined },
  ];
  for (const r of records) {
    run.logEvent("case_result", r);
    run.logEventFields("case_result", r);
  }
  run.flush();
  const got = lines(run.logFile).slice(1).map(noTime);
  expect(got).toHaveLength(8);
  for (let i = 0; i < 8; i += 2) {
    expect(got[i + 1]).toBe(got[i]!);
    expect(JSON.parse(got[i]!).event_type).toBe("case_result");
  }
  run.finish();
});

test("with a plugin registered, logEventFields hands it the record as logEvent does", () => {
  const { project } = tempProject();
  const run = new Experiment(project, "e").createRun();
  const seen: unknown[] = [];
  const plugin = { name: "test:fields", onEvent: (r: Record<string, unknown>) => void seen.push(r) };
  registry.register(plugin);
  try {
    run.logEventFields("case_result", { case_id: "a", scores: {} });
  } finally {
    registry.unregister("test:fields");
  }
  expect(seen).toMatchObject([{ event_type: "case_result", case_id: "a", run_id: run.id }]);
  run.finish();
});
