/**
 * First use with no set-up (contract §4): the library creates the project where it is told,
 * or sets one up as `scryptorum init` would; a CI checkout's missing root is recreated.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { REPO, spawn, ensureBinary as cliBinary } from "../helpers/cli";
import { readJson, tempDir } from "../helpers/project";

const INDEX = join(REPO, "src", "index.ts");

/** Runs a script (written into `dir`) with bun from `cwd`. */
async function script(dir: string, body: string, cwd = dir) {
  const file = join(dir, "first.ts");
  writeFileSync(file, `import { Experiment, Runner, experiment, metric } from ${JSON.stringify(INDEX)};\n${body}\n`);
  return spawn([process.execPath, file], { cwd });
}

describe("first use, no set-up", () => {
  test.concurrent('new Experiment(".", name) on an empty folder makes the folder the project, named after it', async () => {
    const dir = join(tempDir(), "my-proj");
    mkdirSync(dir);
    const r = await script(dir, `const run = new Experiment(".", "manual_experiment").createRun(); run.logMetric("acc", 1); run.finish();`);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(readJson(join(dir, "project.json")).name).toBe("my-proj");
    expect(readJson(join(dir, "experiments/manual_experiment/runs/trial_run/run.json")).status).toBe("finished");
  }, 30_000);

  test.concurrent("experiment({ projectRoot }) and new Runner(dir) on a folder without project.json create it there", async () => {
    const dir = tempDir();
    const r = await script(
      dir,
      `await experiment({ name: "a", projectRoot: "p1" })(() => metric("m")(() => 1)())();
       await new Runner("p2").runExperiment("b", { fn: (run) => run.logMetric("m", 2) });`,
    );
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(readJson(join(dir, "p1/project.json")).name).toBe("p1");
    expect(readJson(join(dir, "p1/experiments/a/runs/trial_run/run.json")).status).toBe("finished");
    expect(readJson(join(dir, "p2/experiments/b/runs/trial_run/run.json")).status).toBe("finished");
  }, 30_000);

  test.concurrent("a folder holding .scryptorum means the project it points at (after scryptorum init)", async () => {
    const dir = join(tempDir(), "app");
    mkdirSync(dir);
    const init = await spawn([await cliBinary(), "init"], { cwd: dir });
    expect(init.code).toBe(0);
    const r = await script(dir, `const run = new Experiment(".", "manual").createRun(); run.finish();`);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(existsSync(join(dir, "project.json"))).toBe(false);
    expect(existsSync(join(dir, "experiments/app/experiments/manual/runs/trial_run/run.json"))).toBe(true);
  }, 30_000);

  test.concurrent("with no project anywhere, experiment() sets one up as init would and says so once", async () => {
    const dir = join(tempDir(), "fresh");
    mkdirSync(dir);
    const r = await script(dir, `const f = experiment("e")(() => 1); f(); f();`);
    expect(r.code).toBe(0);
    const lines = r.stderr.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('no project found from');
    expect(lines[0]).toContain('project "fresh" at experiments/fresh');
    expect(lines[0]).not.toContain("--project-root");
    expect(readJson(join(dir, ".scryptorum")).project).toBe("fresh");
    expect(readJson(join(dir, "experiments/fresh/project.json")).name).toBe("fresh");
    expect(existsSync(join(dir, "experiments/fresh/experiments/e/runs/trial_run/run.json"))).toBe(true);
  }, 30_000);

  test.concurrent("a folder name that cannot be a project name is refused naming library options", async () => {
    const dir = join(tempDir(), "bad name");
    mkdirSync(dir);
    const r = await script(dir, `new Experiment(".", "x");`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('project name "bad name" is not valid');
    expect(r.stderr).toContain("projectRoot");
    expect(r.stderr).toContain("Project.init(");
    expect(r.stderr).not.toContain("--project");
  }, 30_000);

  test.concurrent("CLI commands other than init still need a project (exit 2)", async () => {
    const dir = tempDir();
    const r = await spawn([await cliBinary(), "list-experiments"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no scryptorum project found");
    expect(existsSync(join(dir, ".scryptorum"))).toBe(false);
  }, 30_000);

  test.concurrent("a CI checkout with .scryptorum but no project root: the root is created as init would", async () => {
    const dir = join(tempDir(), "ci");
    mkdirSync(dir);
    const bin = await cliBinary();
    expect((await spawn([bin, "init"], { cwd: dir })).code).toBe(0);
    rmSync(join(dir, "experiments"), { recursive: true }); // git-ignored: not in the checkout
    expect((await spawn([bin, "create-experiment", "demo"], { cwd: dir })).code).toBe(0);
    expect(readJson(join(dir, "experiments/ci/project.json")).name).toBe(basename(dir));
    rmSync(join(dir, "experiments"), { recursive: true });
    const ls = await spawn([bin, "list-experiments"], { cwd: dir });
    expect(ls.code).toBe(0);
    expect(existsSync(join(dir, "experiments/ci/project.json"))).toBe(true);
  }, 30_000);
});

describe("Runner refuses a BaseRunnable with a Python-style run()", () => {
  test.concurrent("before any run is created", async () => {
    const dir = tempDir();
    const r = await script(
      dir,
      `import { BaseRunnable } from ${JSON.stringify(INDEX)};
       class Py extends BaseRunnable { run() {} }
       try { await new Runner(".").runExperiment("py", { runnable: Py as any }); } catch (e) { console.log((e as Error).message); }`,
    );
    expect(r.stdout).toContain("Py defines run(), which BaseRunnable does not call (this.run is the Run): name that phase execute()");
    expect(existsSync(join(dir, "experiments/py"))).toBe(false);
  }, 30_000);
});
