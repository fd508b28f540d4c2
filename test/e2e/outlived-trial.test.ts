/**
 * Workers of a trial that outlive it (issue 15): processes attached through
 * SCRYPTORUM_RUN_DIR notice that the trial they joined ended, or that the next trial holds
 * its folder now, and stop logging with one warning, instead of writing into deleted files
 * or into the next trial's. Real processes: two trials through the binary, three workers
 * (run by bun from the repository's source) that trial 1 starts and leaves running.
 */
import { beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, FIXTURES, tempDir } from "../helpers/cli";

beforeAll(async () => {
  await ensureBinary();
});

const jsonl = (path: string): any[] => (existsSync(path) ? readFileSync(path, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);

test("workers still logging when their trial ended and the next began: one warning each, nothing in the next trial", async () => {
  const dir = tempDir();
  const env = { TEST_BUN: process.execPath };
  expect((await bin(["init", "--project-name", "p"], { cwd: dir })).code).toBe(0);
  const trialDir = join(dir, "experiments/p/experiments/outlived/runs/trial_run");

  const first = await bin(["run", "outlived", "-s", join(FIXTURES, "outlived/first.ts")], { cwd: dir, env });
  expect(first.code).toBe(0);
  // While it ran, the workers' records went into it.
  const firstEvents = jsonl(join(trialDir, "run.jsonl"));
  expect(firstEvents.filter((e) => e.event_type === "child_log").map((e) => `${e.who}:${e.phase}`).sort()).toEqual(["closer:trial1", "early:trial1"]);

  const second = await bin(["run", "outlived", "-s", join(FIXTURES, "outlived/second.ts")], { cwd: dir, env });
  expect(second.code).toBe(0);
  for (const who of ["early", "closer", "late"]) expect(existsSync(join(dir, `${who}.done`))).toBe(true);
  // The second trial holds its own records only.
  expect(jsonl(join(trialDir, "run.jsonl")).map((e) => e.event_type)).toEqual(["run_started", "second_done", "run_finished"]);
  expect(jsonl(join(trialDir, "metrics.jsonl"))).toEqual([]);

  for (const who of ["early", "closer", "late"]) {
    const lines = readFileSync(join(dir, `${who}.err`), "utf8").split("\n").filter(Boolean);
    expect({ who, lines }).toEqual({ who, lines: [expect.stringMatching(/^scryptorum: .*trial_run.* (has ended \(finished\)|was replaced by another run|is gone)/)] });
  }
  // The late one never attached: it was started for trial 1 and first logged in trial 2.
  expect(readFileSync(join(dir, "late.err"), "utf8")).toContain("logging is off in this process");
  expect(readFileSync(join(dir, "closer.err"), "utf8")).toContain("its records from this process are dropped from now on");
}, 60_000);
