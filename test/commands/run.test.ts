/** `scryptorum run` from source (`bun commands/cli.ts`): what it calls, what it records. */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Project } from "../../src/index";
import { prepareRun } from "../../src/cli/run";
import { cli, REPO, readJson, tempDir, tree, writeFiles } from "../helpers/cli";

/** A temp folder set up with `init` (project "p") plus the given files. */
async function project(files: Record<string, string> = {}): Promise<{ dir: string; runs: string }> {
  const dir = tempDir();
  writeFiles(dir, files);
  const r = await cli(["init", "--project-name", "p"], { cwd: dir });
  expect(r.code).toBe(0);
  return { dir, runs: join(dir, "experiments/p/experiments") };
}

function events(runDir: string): any[] {
  return readFileSync(join(runDir, "run.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
}

describe("what --module calls", () => {
  test.concurrent("a plain default function gets (run, config); --config merges over the experiment's config", async () => {
    const { dir, runs } = await project({
      "plain.ts": [
        "export default function (run: any, config: any) {",
        '  run.logMetric("got_run", run.id === "trial_run" ? 1 : 0);',
        '  run.logEvent("config_seen", { config });',
        "}",
      ].join("\n"),
      "cfg.json": '{"model": "m2", "token": "t0k"}',
    });
    const r = await cli(["run", "plain", "-m", "plain.ts", "--config", "cfg.json", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(Object.keys(summary).sort()).toEqual(["dir", "duration_seconds", "finished_at", "metrics", "run_id", "run_type", "started_at", "status", "tags"]);
    expect(summary.metrics).toEqual({ got_run: 1 });
    const runDir = join(runs, "plain/runs/trial_run");
    expect(events(runDir).find((e) => e.event_type === "config_seen").config).toEqual({ model: "m2", token: "t0k" });
    expect(readJson(join(runDir, "run.json")).config).toEqual({ model: "m2", token: "[redacted]" });
  });

  test.concurrent("an experiment() with its own config: the --config file wins, the rest is kept", async () => {
    const { dir, runs } = await project({
      "exp.ts": 'import { experiment } from "scryptorum";\nexport const main = experiment({ name: "x", config: { model: "m1", temperature: 0 } })(() => {});\n',
      "cfg.json": '{"model": "m2"}',
    });
    expect((await cli(["run", "cfgd", "-m", "exp.ts", "--config", "cfg.json"], { cwd: dir })).code).toBe(0);
    expect(readJson(join(runs, "cfgd/runs/trial_run/run.json")).config).toEqual({ model: "m2", temperature: 0 });
  });

  test.concurrent("a package specifier, resolved from the project, with #Export", async () => {
    const { dir } = await project({
      "node_modules/@acme/evals/package.json": JSON.stringify({ name: "@acme/evals", exports: { "./qa": "./lib/qa.mjs" } }),
      "node_modules/@acme/evals/lib/qa.mjs": 'import { experiment, metric } from "scryptorum";\nexport const qa = experiment("qa")(() => metric("em")(() => 0.6)());\nexport const other = 1;\n',
    });
    const r = await cli(["run", "qa", "-m", "@acme/evals/qa#qa", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).metrics).toEqual({ em: 0.6 });
    const missing = await cli(["run", "qa", "-m", "@acme/evals/qa#nope"], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: experiment "qa" failed: Error: @acme/evals/qa has no export "nope" (it exports: other, qa)\n');
  });

  test.concurrent("a class that does not extend BaseRunnable is refused, and the run fails", async () => {
    const { dir } = await project({ "c.ts": "export default class Foo { run() {} }\n" });
    const r = await cli(["run", "cls", "-m", "c.ts"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('failed: Error: export "default" is a class that does not extend BaseRunnable: extend it, or export a function\n');
  });
});

describe("what --script runs", () => {
  test.concurrent("a script that calls its experiment without awaiting it: the run waits for it", async () => {
    const { dir, runs } = await project({
      "s.ts": [
        'import { experiment, metric } from "scryptorum";',
        'const main = experiment("s")(async () => { await new Promise((r) => setTimeout(r, 50)); metric("late")(() => 1)(); });',
        "main();",
      ].join("\n"),
    });
    const r = await cli(["run", "s", "-s", "s.ts", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "finished", metrics: { late: 1 } });
    expect(readJson(join(runs, "s/runs/trial_run/run.json")).status).toBe("finished");
  });

  test.concurrent("a plain script with no experiment logs to the CLI's run", async () => {
    const { dir } = await project({
      "plain.ts": 'import { getCurrentRun } from "scryptorum";\ngetCurrentRun()!.logMetric("rows", 3);\n',
    });
    const r = await cli(["run", "plain", "-s", "plain.ts", "--json"], { cwd: dir });
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "finished", metrics: { rows: 3 } });
  });

  test.concurrent("a script that defines two experiments and calls neither fails and says what to do", async () => {
    const { dir } = await project({
      "two.ts": 'import { experiment } from "scryptorum";\nexport const a = experiment("a")(() => {});\nexport const b = experiment("b")(() => {});\n',
    });
    const r = await cli(["run", "two", "-s", "two.ts"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error: experiment "two" failed: Error: two.ts defines 2 experiments and calls none: call one in the script, or run one with --module two.ts#name\n',
    );
  });

  test.concurrent("SCRYPTORUM_RUN_DIR and SCRYPTORUM_RUN_TYPE reach child processes, which log to the run", async () => {
    const { dir, runs } = await project({
      "child.ts": `import { getCurrentRun } from ${JSON.stringify(join(REPO, "src/index.ts"))};\ngetCurrentRun()!.logEvent("from_child", { type: process.env.SCRYPTORUM_RUN_TYPE });\ngetCurrentRun()!.flush();\n`,
      "parent.ts": `import { spawnSync } from "node:child_process";\nconst r = spawnSync(${JSON.stringify(process.execPath)}, ["child.ts"], { stdio: "inherit" });\nif (r.status !== 0) throw new Error("child failed");\n`,
    });
    const r = await cli(["run", "kids", "-s", "parent.ts", "--milestone", "--run-id", "k1"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(events(join(runs, "kids/runs/k1")).find((e) => e.event_type === "from_child")).toMatchObject({ type: "milestone" });
  });

  test.concurrent("SIGINT during a run: exit 130, run interrupted", async () => {
    const { dir, runs } = await project({
      "slow.ts": 'console.error("ready");\nawait new Promise((r) => setTimeout(r, 20_000));\n',
    });
    const proc = Bun.spawn([process.execPath, join(REPO, "commands/cli.ts"), "run", "slow", "-s", "slow.ts"], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1" },
      stderr: "pipe",
      stdout: "pipe",
    });
    const reader = proc.stderr.getReader();
    let seen = "";
    while (!seen.includes("ready")) seen += new TextDecoder().decode((await reader.read()).value);
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);
    expect(readJson(join(runs, "slow/runs/trial_run/run.json")).status).toBe("interrupted");
  });
});

describe("plugins named in .scryptorum", () => {
  test.concurrent("are loaded and see the run's events", async () => {
    const { dir } = await project({
      "plugins/echo.ts": 'export default { name: "echo", onEvent(r: any) { if (r.event_type) process.stderr.write(`echo: ${r.event_type}\\n`); } };\n',
      "s.ts": 'import { getCurrentRun } from "scryptorum";\ngetCurrentRun()!.logEvent("hello");\n',
    });
    const anchor = readJson(join(dir, ".scryptorum"));
    await Bun.write(join(dir, ".scryptorum"), JSON.stringify({ ...anchor, plugins: ["./plugins/echo.ts"] }));
    const r = await cli(["run", "plug", "-s", "s.ts"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr.split("\n").filter((l) => l.startsWith("echo: "))).toEqual(["echo: run_started", "echo: hello", "echo: run_finished"]);
  });

  test.concurrent("a plugin that is missing: exit 2, nothing created", async () => {
    const { dir } = await project({ "s.ts": "" });
    const anchor = readJson(join(dir, ".scryptorum"));
    await Bun.write(join(dir, ".scryptorum"), JSON.stringify({ ...anchor, plugins: ["./plugins/nope.ts"] }));
    const before = tree(dir);
    const r = await cli(["run", "plug", "-s", "s.ts"], { cwd: dir });
    expect(r).toMatchObject({ code: 2, stderr: `error: plugin ./plugins/nope.ts named in ${dir}/.scryptorum: no such file: fix or remove it in "plugins"\n` });
    expect(tree(dir)).toEqual(before);
  });
});

describe("prepareRun checks, in process", () => {
  test("a NUL in the path is refused before anything is written", () => {
    const dir = tempDir();
    Project.createRoot(dir, "p");
    const before = tree(dir);
    expect(() => prepareRun({ experiment: "e", script: "a\0b.ts", cwd: dir })).toThrow('--script "a\\\\0b.ts" contains a NUL character: give a file path');
    expect(() => prepareRun({ experiment: "e", module: "x.ts#not-an-export", cwd: dir })).toThrow(
      '--module x.ts#not-an-export: "not-an-export" is not an export name: use --module file.ts#ExportName',
    );
    expect(tree(dir)).toEqual(before);
    expect(existsSync(join(dir, "experiments/e"))).toBe(false);
  });
});
