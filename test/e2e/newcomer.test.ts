/**
 * End to end through the binary: defects a newcomer hits (issue 15): the experiment's own
 * config, a SIGINT handler that exits 0, a damaged run.json.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, readJson, tempDir, tree, writeFiles } from "../helpers/cli";

beforeAll(async () => {
  await ensureBinary();
});

async function project(files: Record<string, string> = {}) {
  const dir = tempDir();
  writeFiles(dir, files);
  expect((await bin(["init", "--project-name", "p"], { cwd: dir })).code).toBe(0);
  return { dir, exps: join(dir, "experiments/p/experiments") };
}

describe("newcomer defects (binary)", () => {
  test.concurrent("create-experiment's config/config.json is the base, then the wrapper's config, then --config; run.json has the merge", async () => {
    const { dir, exps } = await project({
      "exp.ts": 'import { experiment, getCurrentRun } from "scryptorum";\nexport const main = experiment({ name: "x", config: { temperature: 0.7, top_p: 0.9 } })(() => getCurrentRun()!.logEvent("seen", { config: getCurrentRun()!.config }));\n',
      "plain.ts": "export default function (run: any, config: any) { run.logEvent(\"seen\", { config }); }\n",
      "cfg.json": '{"top_p": 0.5}',
    });
    expect((await bin(["create-experiment", "cfg"], { cwd: dir })).code).toBe(0);
    writeFileSync(join(exps, "cfg/config/config.json"), '{"model": "gpt-4o-mini", "temperature": 0, "top_p": 1}\n');
    const r = await bin(["run", "cfg", "-m", "exp.ts", "--config", "cfg.json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readJson(join(exps, "cfg/runs/trial_run/run.json")).config).toEqual({ model: "gpt-4o-mini", temperature: 0.7, top_p: 0.5 });
    const plain = await bin(["run", "cfg", "-m", "plain.ts"], { cwd: dir });
    expect(plain.code).toBe(0);
    expect(readJson(join(exps, "cfg/runs/trial_run/run.json")).config).toEqual({ model: "gpt-4o-mini", temperature: 0, top_p: 1 });
    writeFileSync(join(exps, "cfg/config/config.json"), "{ nope");
    const bad = await bin(["run", "cfg", "-m", "plain.ts"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${join(exps, "cfg/config/config.json")} cannot be read as JSON`);
    expect(readJson(join(exps, "cfg/runs/trial_run/run.json")).status).toBe("finished"); // untouched
  }, 30_000);

  test.concurrent("a SIGINT handler that calls process.exit(0): the run is interrupted and the CLI exits 130", async () => {
    const { dir, exps } = await project({
      "graceful.ts": ['process.on("SIGINT", () => process.exit(0));', 'console.error("ready");', "await new Promise((r) => setTimeout(r, 20_000));"].join("\n"),
    });
    const proc = Bun.spawn([await ensureBinary(), "run", "gr", "-s", "graceful.ts"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, stdout: "pipe", stderr: "pipe" });
    const reader = proc.stderr.getReader();
    let seen = "";
    while (!seen.includes("ready")) seen += new TextDecoder().decode((await reader.read()).value);
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);
    expect(readJson(join(exps, "gr/runs/trial_run/run.json")).status).toBe("interrupted");
  }, 30_000);

  test.concurrent("a damaged run.json: list-runs, --json and export warn naming the file instead of hiding the run silently", async () => {
    const { dir, exps } = await project({ "ok.ts": "export default function (run: any) { run.logMetric(\"m\", 1); }\n" });
    expect((await bin(["run", "dmg", "-m", "ok.ts", "--milestone", "--run-id", "good"], { cwd: dir })).code).toBe(0);
    expect((await bin(["run", "dmg", "-m", "ok.ts", "--milestone", "--run-id", "bad"], { cwd: dir })).code).toBe(0);
    const file = join(exps, "dmg/runs/bad/run.json");
    writeFileSync(file, '{"run_id": "bad", "sta');
    const warning = `[warn] ${file} cannot be read (`;
    for (const args of [["list-runs", "dmg"], ["list-runs", "dmg", "--json"], ["export", "dmg", "--format", "csv"]]) {
      const r = await bin(args, { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(warning);
      expect(r.stderr).toContain('run "bad" is left out of the list');
      expect(r.stdout).toContain("good");
    }
  }, 30_000);

  test.concurrent("--json: init, create-project and create-experiment print JSON; errors are {error: {message, code}}; a failed run has an error field", async () => {
    const dir = tempDir();
    const init = await bin(["init", "--project-name", "j", "--json"], { cwd: dir });
    expect(init.code).toBe(0);
    expect(JSON.parse(init.stdout)).toMatchObject({ project: "j", root: join(dir, "experiments/j"), created: true });
    const exp = await bin(["create-experiment", "e", "--json"], { cwd: dir });
    expect(JSON.parse(exp.stdout)).toMatchObject({ experiment: "e", dir: join(dir, "experiments/j/experiments/e"), created: true });
    expect(JSON.parse(exp.stdout).written).toContain(join(dir, "experiments/j/experiments/e/config/config.json"));
    const proj = await bin(["create-project", "solo", "--json"], { cwd: dir });
    expect(JSON.parse(proj.stdout)).toMatchObject({ project: "solo", root: join(dir, "solo"), created: true });

    const none = await bin(["list-experiments", "--json"], { cwd: tempDir() });
    expect(none.code).toBe(2);
    expect(none.stdout).toBe("");
    const err = JSON.parse(none.stderr);
    expect(err.error.code).toBe(2);
    expect(err.error.message).toStartWith("no scryptorum project found from ");

    writeFiles(dir, { "boom.ts": 'export default function () { throw new TypeError("the model returned nothing"); }\n' });
    const failed = await bin(["run", "e", "-m", "boom.ts", "--json"], { cwd: dir });
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: "failed", error: { name: "TypeError", message: "the model returned nothing" } });
    const last = failed.stderr.trim().split("\n").at(-1)!;
    expect(JSON.parse(last).error).toMatchObject({ code: 1, message: 'experiment "e" failed: TypeError: the model returned nothing', run_file: join(dir, "experiments/j/experiments/e/runs/trial_run/run.json") });
  }, 30_000);

  // -m: what is refused before anything runs, and the hints.
  test.concurrent("a missing #Export is refused before anything is written: the last trial intact, no milestone id taken", async () => {
    const { dir, runs } = await projectP({ "exp.ts": 'import { experiment, metric } from "scryptorum";\nexport const good = experiment("x")(() => metric("m")(() => 1)());\n' });
    expect((await bin(["run", "typo", "-m", "exp.ts#good"], { cwd: dir })).code).toBe(0);
    const before = tree(join(runs, "typo"));
    const trial = await bin(["run", "typo", "-m", "exp.ts#goood"], { cwd: dir });
    expect(trial).toMatchObject({ code: 2, stdout: "" });
    expect(trial.stderr).toBe('error: --module exp.ts#goood: exp.ts has no export "goood" (it exports: good): use --module exp.ts#good\n');
    const ms = await bin(["run", "typo", "-m", "exp.ts#goood", "--milestone", "--run-id", "v1"], { cwd: dir });
    expect(ms.code).toBe(2);
    expect(tree(join(runs, "typo"))).toEqual(before);
    expect(readJson(join(runs, "typo/runs/trial_run/run.json")).status).toBe("finished");
  }, 30_000);

  test.concurrent("a BaseRunnable subclass with a Python-style run() is refused (exit 2): name the phase execute()", async () => {
    const { dir, runs } = await projectP({
      "r.ts": 'import { BaseRunnable } from "scryptorum";\nexport class Py extends BaseRunnable { run() { this.run.logMetric("m", 1); } }\n',
    });
    const r = await bin(["run", "py", "-m", "r.ts#Py"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: Py defines run(), which BaseRunnable does not call (this.run is the Run): name that phase execute()");
    expect(readJson(join(runs, "py/runs/trial_run/run.json")).status).toBe("failed");
  }, 30_000);

  test.concurrent("Python habits in -m (file.ts:Class, pkg.module.Class) hint at the #Export form", async () => {
    const { dir } = await projectP({ "src/x.ts": "export class Job {}\n" });
    const colon = await bin(["run", "h", "-m", "src/x.ts:Job"], { cwd: dir });
    expect(colon.code).toBe(2);
    expect(colon.stderr).toContain("to run export Job of src/x.ts, write --module ./src/x.ts#Job");
    const dotted = await bin(["run", "h", "-m", "src.x.Job"], { cwd: dir });
    expect(dotted.code).toBe(2);
    expect(dotted.stderr).toContain("to run export Job of src/x, write --module ./src/x#Job");
    expect(existsSync(join(dir, "experiments/p/experiments/h"))).toBe(false);
  }, 30_000);

  test.concurrent("a file exporting two plain functions names them", async () => {
    const { dir } = await projectP({ "two.ts": "export function a() {}\nexport function b() {}\n" });
    const r = await bin(["run", "two", "-m", "two.ts"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("two.ts exports 2 functions but no experiment() or BaseRunnable class (a, b): pick one with --module two.ts#a, or export it as the default");
  }, 30_000);

});

/** A temp folder set up with `init` (project "p") plus the given files; `runs` is its experiments folder. */
async function projectP(files: Record<string, string> = {}) {
  const { dir, exps } = await project(files);
  return { dir, runs: exps };
}
