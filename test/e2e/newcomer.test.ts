/**
 * End to end through the binary: defects a newcomer hits (issue 15): the experiment's own
 * config, a SIGINT handler that exits 0, a damaged run.json.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, bin, ensureBinary, readJson, tempDir, writeFiles } from "../helpers/cli";

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
});
