/**
 * End to end: the binary alone, copied into an empty folder and run with an empty
 * environment (`env -i`): no bun, no node_modules, no PATH, no HOME.
 */
import { expect, test } from "bun:test";
import { copyFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ensureBinary, readJson, spawn, tempDir, writeFiles } from "../helpers/cli";

test("env -i: init, create-experiment, run a trial", async () => {
  const dir = tempDir();
  const exe = join(dir, "scryptorum");
  copyFileSync(await ensureBinary(), exe);
  const run = (...args: string[]) => spawn(["env", "-i", exe, ...args], { cwd: dir });

  const init = await run("init", "--project-name", "solo");
  expect(init).toMatchObject({ code: 0, stdout: "" });
  expect(init.stderr).toBe('✔ set up project "solo": runs go to experiments/solo\nℹ next: scryptorum create-experiment <name>, then scryptorum run <name> --script <file>\n');

  const created = await run("create-experiment", "hello");
  expect(created.code).toBe(0);
  expect(created.stderr).toStartWith('✔ created experiment "hello" in experiments/solo/experiments/hello\n');
  const expDir = join(dir, "experiments", "solo", "experiments", "hello");
  expect(readdirSync(expDir).sort()).toEqual(["config", "data", "experiment.json", "prompts", "runs"]);
  expect(readdirSync(join(expDir, "config"))).toEqual(["config.json"]);
  expect(readdirSync(join(expDir, "prompts"))).toEqual(["system.md"]);

  writeFiles(dir, {
    "hello.ts": [
      'import { experiment, metric } from "scryptorum";',
      'export const hello = experiment("hello")(() => metric("answer")(() => 42)());',
    ].join("\n"),
  });
  const trial = await run("run", "hello", "-s", "hello.ts", "--json");
  expect(trial.code).toBe(0);
  const summary = JSON.parse(trial.stdout);
  expect(summary).toMatchObject({ run_id: "trial_run", run_type: "trial", status: "finished", metrics: { answer: 42 } });
  expect(readJson(join(summary.dir, "run.json")).status).toBe("finished");
  expect(existsSync(join(dir, "node_modules"))).toBe(false);
});
