/**
 * Concurrency: several processes appending to one run, many async tasks in one process,
 * processes racing to create the same experiment.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Experiment } from "../../src/index";
import { withRun } from "../../src/tracking/context";
import { readJson, tempProject } from "../helpers/project";

const CHILD = (name: string) => join(import.meta.dir, "../fixtures/children", name);

describe("concurrency", () => {
  test("8 processes x 1,000 events of 100 B, 5 KiB and (2%) 200 KiB into one run: every line whole, counts exact", async () => {
    const { root } = tempProject();
    const owner = new Experiment(root, "load").createRun("milestone", "one");
    const procs = Array.from({ length: 8 }, (_, w) =>
      Bun.spawn([process.execPath, CHILD("load.ts"), root, "load", "one", String(w), "1000"], { stdout: "ignore", stderr: "pipe" }),
    );
    expect(await Promise.all(procs.map((p) => p.exited))).toEqual(Array(8).fill(0));
    owner.finish();
    const lines = readFileSync(owner.logFile, "utf8").split("\n");
    expect(lines.pop()).toBe(""); // the file ends with a newline
    const counts = new Map<string, number>();
    const lastIndex = Array(8).fill(-1);
    for (const line of lines) {
      const r = JSON.parse(line);
      if (r.event_type !== "load") continue;
      const expected = { small: 100, medium: 5 * 1024, large: 200 * 1024 }[r.kind as "small"];
      expect(r.payload.length).toBe(expected);
      counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1);
      // one writer's lines stay in its own order
      expect(r.i).toBeGreaterThan(lastIndex[r.worker]);
      lastIndex[r.worker] = r.i;
    }
    expect(lastIndex).toEqual(Array(8).fill(999));
    expect(counts.get("large")).toBe(8 * 20);
    expect((counts.get("small") ?? 0) + (counts.get("medium") ?? 0) + (counts.get("large") ?? 0)).toBe(8000);
  }, 120_000);

  test("1,000 concurrent async logEvent tasks in one process keep each task's order", async () => {
    const { root } = tempProject();
    const run = new Experiment(root, "tasks").createRun();
    await withRun(run, () =>
      Promise.all(
        Array.from({ length: 1000 }, async (_, task) => {
          for (let step = 0; step < 5; step++) {
            await new Promise((r) => setTimeout(r, Math.random() * 3));
            run.logEvent("step", { task, step });
          }
        }),
      ),
    );
    run.finish();
    const seen = new Map<number, number[]>();
    for (const line of readFileSync(run.logFile, "utf8").trim().split("\n")) {
      const r = JSON.parse(line);
      if (r.event_type === "step") seen.set(r.task, [...(seen.get(r.task) ?? []), r.step]);
    }
    expect(seen.size).toBe(1000);
    for (const steps of seen.values()) expect(steps).toEqual([0, 1, 2, 3, 4]);
  });

  test("two processes creating the same experiment end with one valid experiment", async () => {
    for (let round = 0; round < 3; round++) {
      const { root } = tempProject();
      const startAt = String(Date.now() + 400);
      const procs = [0, 1].map(() => Bun.spawn([process.execPath, CHILD("mkexp.ts"), root, startAt], { stdout: "pipe", stderr: "pipe" }));
      expect(await Promise.all(procs.map((p) => p.exited))).toEqual([0, 0]);
      const exps = readdirSync(join(root, "experiments"));
      expect(exps).toEqual(["raced"]);
      const info = readJson(join(root, "experiments/raced/experiment.json"));
      expect(info.name).toBe("raced");
      expect(readdirSync(join(root, "experiments/raced")).sort()).toEqual(["config", "data", "experiment.json", "prompts", "runs"]);
    }
  });
});
