/**
 * One trial at a time: 8 processes starting a trial of one experiment at the same instant
 * get exactly one trial; the others are refused and trial_run holds one process's records.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Experiment } from "../../src/index";
import { tempProject } from "../helpers/project";

const CHILD = join(import.meta.dir, "../fixtures/children/trial-race.ts");

describe("trials", () => {
  test("8 processes start a trial at once: one runs, seven are refused, trial_run is one process's", async () => {
    for (let round = 0; round < 3; round++) {
      const { root } = tempProject();
      new Experiment(root, "racey"); // the experiment exists before the race
      const at = String(Date.now() + 500);
      const procs = Array.from({ length: 8 }, () => Bun.spawn([process.execPath, CHILD, root, at], { stdout: "pipe", stderr: "pipe" }));
      const outs = await Promise.all(procs.map(async (p) => (await new Response(p.stdout).text()).trim()));
      expect(outs.filter((o) => o === "OK")).toHaveLength(1);
      for (const o of outs.filter((o) => o !== "OK")) expect(o).toStartWith("REFUSED a trial of experiment \"racey\" is still running");
      const dir = join(root, "experiments/racey/runs/trial_run");
      const events = readFileSync(join(dir, "run.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
      expect(events.map((e) => e.event_type)).toEqual(["run_started", "mine", "run_finished"]);
      expect(existsSync(join(root, "experiments/racey/runs/.trial.lock"))).toBe(false);
    }
  }, 60_000);

  test("a lock left by a dead process is broken by the next trial", () => {
    const { root } = tempProject();
    const exp = new Experiment(root, "stale");
    writeFileSync(join(exp.runsDir, ".trial.lock"), JSON.stringify({ pid: 2 ** 22 + 12345, hostname: require("node:os").hostname() }));
    const run = exp.createRun();
    run.finish();
    expect(existsSync(join(exp.runsDir, ".trial.lock"))).toBe(false);
  });
});
