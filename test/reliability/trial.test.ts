/**
 * One trial at a time: 8 processes starting a trial of one experiment at the same instant
 * get exactly one trial; the others are refused and trial_run holds one process's records.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { Experiment } from "../../src/index";
import { tempProject } from "../helpers/project";

const CHILD = join(import.meta.dir, "../fixtures/children/trial-race.ts");

describe("trials", () => {
  test("8 processes start a trial at once: one runs, seven are refused, trial_run is one process's", async () => {
    for (let round = 0; round < 3; round++) {
      const { root } = tempProject();
      new Experiment(root, "racey"); // the experiment exists before the race
      const at = String(Date.now() + 1500); // most children loaded by then; a late one still meets the held trial
      const markers = mkdtempSync(join(tmpdir(), "scry-markers-"));
      const procs = Array.from({ length: 8 }, () => Bun.spawn([process.execPath, CHILD, root, at, markers, "8"], { stdout: "pipe", stderr: "pipe" }));
      const outs = await Promise.all(procs.map(async (p) => (await new Response(p.stdout).text()).trim()));
      expect(outs.filter((o) => o === "OK")).toHaveLength(1);
      for (const o of outs.filter((o) => o !== "OK")) expect(o).toStartWith("REFUSED a trial of experiment \"racey\" is still running");
      const dir = join(root, "experiments/racey/runs/trial_run");
      const events = readFileSync(join(dir, "run.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
      expect(events.map((e) => e.event_type)).toEqual(["run_started", "mine", "run_finished"]);
      expect(existsSync(join(root, "experiments/racey/runs/.trial.lock"))).toBe(false);
    }
  }, 60_000);

  test.each([
    ["an empty lock older than 5 s (a crash or a full disk while writing it)", "", true],
    ["a lock naming this process with a token no trial of it holds (a terminated Worker)", JSON.stringify({ pid: process.pid, hostname: hostname(), token: "not-ours" }), false],
    ["a lock whose pid now belongs to another process (pid reuse)", JSON.stringify({ pid: process.ppid, hostname: hostname(), start: "other-boot:1" }), false],
  ])("%s is broken by the next trial", (_name, content, old) => {
    const { root } = tempProject();
    const exp = new Experiment(root, "stale");
    const lock = join(exp.runsDir, ".trial.lock");
    writeFileSync(lock, content as string);
    if (old) utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const run = exp.createRun();
    run.finish();
    expect(existsSync(lock)).toBe(false);
  });

  test("a leftover .break guard from a killed process does not block breaking a stale lock", () => {
    const { root } = tempProject();
    const exp = new Experiment(root, "guard");
    const lock = join(exp.runsDir, ".trial.lock");
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 999, hostname: hostname() }));
    mkdirSync(`${lock}.break`);
    utimesSync(`${lock}.break`, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    exp.createRun().finish();
    expect(existsSync(lock)).toBe(false);
  });

  test("a lock naming another host (a dev container on a bind mount) is taken as held, and the refusal says which file to delete", () => {
    const { root } = tempProject();
    const exp = new Experiment(root, "otherhost");
    const lock = join(exp.runsDir, ".trial.lock");
    writeFileSync(lock, JSON.stringify({ pid: 4242, hostname: "devcontainer-7f3a" }));
    expect(() => exp.createRun()).toThrow(`delete ${lock}`);
  });

  test("a trial started in a Worker while this thread holds one is refused", async () => {
    const { root } = tempProject();
    const exp = new Experiment(root, "threads");
    const run = exp.createRun();
    run.logMetric("main_metric", 1);
    const worker = new Worker(join(import.meta.dir, "../fixtures/children/worker-trial.ts"));
    worker.postMessage(root);
    const reply = await new Promise((resolve) => (worker.onmessage = (e) => resolve(e.data)));
    worker.terminate();
    expect(String(reply)).toStartWith("refused: a trial of experiment \"threads\" is still running");
    run.finish();
    expect(readFileSync(run.metricsFile, "utf8")).toContain("main_metric");
  });

  test("the refusal names the lock file to delete", () => {
    const { root } = tempProject();
    const exp = new Experiment(root, "named");
    const run = exp.createRun();
    expect(() => exp.createRun()).toThrow(`delete ${join(exp.runsDir, ".trial.lock")}`);
    run.finish();
  });

  test("a lock left by a dead process is broken by the next trial", () => {
    const { root } = tempProject();
    const exp = new Experiment(root, "stale");
    writeFileSync(join(exp.runsDir, ".trial.lock"), JSON.stringify({ pid: 2 ** 22 + 12345, hostname: hostname() }));
    const run = exp.createRun();
    run.finish();
    expect(existsSync(join(exp.runsDir, ".trial.lock"))).toBe(false);
  });
});
