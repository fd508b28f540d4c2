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
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: --module @acme/evals/qa#nope: @acme/evals/qa has no export "nope" (it exports: other, qa): use --module @acme/evals/qa#other\n');
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

  test.concurrent("a script without top-level await: the run waits until its event loop is empty", async () => {
    const { dir, runs } = await project({
      "s.ts": [
        'import { getCurrentRun } from "scryptorum";',
        "const run = getCurrentRun()!;",
        "const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));",
        'async function main() { await sleep(30); run.logMetric("late", 1); console.log("main finished"); }',
        "main().catch((e) => { console.error(e); process.exit(1); });",
      ].join("\n"),
    });
    const r = await cli(["run", "s", "-s", "s.ts"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith("main finished\nrun:     trial_run (trial)\n");
    expect(r.stdout).toContain("metrics: late=1\n");
    expect(readJson(join(runs, "s/runs/trial_run/run.json"))).toMatchObject({ status: "finished", metrics_summary: { late: 1 } });
  });

  test.concurrent("a top-level await that never settles (a Worker that died): exit 1, run failed, says why", async () => {
    const { dir, runs } = await project({
      "worker.ts": "process.exit(0);\n",
      "w.ts": 'const w = new Worker(new URL("./worker.ts", import.meta.url).href);\nawait new Promise((resolve) => w.addEventListener("message", resolve));\n',
    });
    const r = await cli(["run", "w", "-s", "w.ts"], { cwd: dir });
    const runDir = join(runs, "w/runs/trial_run");
    const message = "the script's top-level await never settled: nothing is left that could settle it (a Worker that exited, a promise nothing resolves)";
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split("\n").slice(-2)).toEqual([
      `error: experiment "w" failed: Error: ${message}`,
      `  the run is marked failed; the stack is in ${runDir}/run.json (or rerun with --debug)`,
    ]);
    expect(r.stdout).toContain("status:  failed in ");
    expect(readJson(join(runDir, "run.json"))).toMatchObject({ status: "failed", error: { name: "Error", message } });
  });

  test.concurrent("an experiment the script called that never settles: exit 1, run failed", async () => {
    const { dir } = await project({
      "s.ts": 'import { experiment } from "scryptorum";\nexperiment("s")(() => new Promise(() => {}))();\n',
    });
    const r = await cli(["run", "s", "-s", "s.ts"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: experiment "s" failed: Error: an experiment s.ts called never finished: nothing is left that could settle it');
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

describe("user code that prints, or fails outside the awaited code", () => {
  test.concurrent("--json: what the user's code prints goes to stderr, stdout is the JSON alone", async () => {
    const { dir } = await project({
      "loud.ts": [
        'console.log("imported");',
        "export default () => {",
        '  console.log("hello"); console.info("info"); console.table([{ a: 1 }]); process.stdout.write("raw\\n");',
        "};",
      ].join("\n"),
    });
    const r = await cli(["run", "loud", "-m", "loud.ts", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ run_id: "trial_run", status: "finished" });
    for (const text of ["imported\n", "hello\n", "info\n", "raw\n", "│ (index) │ a │"]) expect(r.stderr).toContain(text);
    // Without --json the user's output stays on stdout.
    expect((await cli(["run", "loud", "-m", "loud.ts"], { cwd: dir })).stdout).toStartWith("imported\nhello\ninfo\n");
  });

  const failing: [string, string, string][] = [
    ["a promise rejected and never awaited", "export default function () { Promise.reject(new Error(\"x\")); }\n", "Error: x"],
    ["a throw from a setTimeout", "export default async function () {\n  setTimeout(() => { throw new TypeError(\"boom\"); }, 5);\n  await new Promise((r) => setTimeout(r, 2000));\n}\n", "TypeError: boom"],
    ["a rejection in a --script", 'Promise.reject(new RangeError("late"));\n', "RangeError: late"],
  ];
  for (const [name, code, error] of failing) {
    test.concurrent(`${name}: the run fails, two plain lines, exit 1`, async () => {
      const { dir, runs } = await project({ "u.ts": code });
      const r = await cli(["run", "u", name.includes("--script") ? "-s" : "-m", "u.ts"], { cwd: dir });
      const runDir = join(runs, "u/runs/trial_run");
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        [
          'ℹ started trial_run (trial) of experiment "u": ' + (name.includes("--script") ? "--script" : "--module") + " u.ts",
          `error: experiment "u" failed: ${error}`,
          `  the run is marked failed; the stack is in ${runDir}/run.json (or rerun with --debug)`,
          "",
        ].join("\n"),
      );
      const [errName, message] = error.split(": ");
      expect(readJson(join(runDir, "run.json"))).toMatchObject({ status: "failed", error: { name: errName, message } });
    });
  }

  test.concurrent("several compile errors: the first with its place and how many more; run.json lists them all", async () => {
    const { dir, runs } = await project({ "bad.ts": "let x: = ;\nlet y: = ;\n" });
    const r = await cli(["run", "bad", "-m", "bad.ts"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`error: experiment "bad" failed: CompileError: ${join(dir, "bad.ts")}:1:8: Unexpected = \\(and \\d+ more\\)\n`));
    const error = readJson(join(runs, "bad/runs/trial_run/run.json")).error;
    expect(error.name).toBe("CompileError");
    expect(error.stack).toContain(`${join(dir, "bad.ts")}:1:8: Unexpected =\n`);
    expect(error.stack).toContain(`${join(dir, "bad.ts")}:1:10: Unexpected ;\n`);
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

  test.concurrent("are loaded with --project-root and SCRYPTORUM_PROJECT_ROOT too", async () => {
    const { dir } = await project({
      "plugins/echo.ts": 'export default { name: "echo", onEvent(r: any) { if (r.event_type) process.stderr.write(`echo: ${r.event_type}\\n`); } };\n',
      "sub/s.ts": "",
    });
    const anchor = readJson(join(dir, ".scryptorum"));
    await Bun.write(join(dir, ".scryptorum"), JSON.stringify({ ...anchor, plugins: ["./plugins/echo.ts"] }));
    const echoes = (r: { stderr: string }) => r.stderr.split("\n").filter((l) => l.startsWith("echo: "));
    // From inside the repository; then from outside it, the anchor found from the root's parents.
    const inside = await cli(["run", "plug", "-s", "s.ts", "--project-root", "../experiments/p"], { cwd: join(dir, "sub") });
    expect(echoes(inside)).toEqual(["echo: run_started", "echo: run_finished"]);
    const outside = await cli(["run", "plug", "-s", join(dir, "sub/s.ts")], { cwd: tempDir(), env: { SCRYPTORUM_PROJECT_ROOT: join(dir, "experiments/p") } });
    expect(echoes(outside)).toEqual(["echo: run_started", "echo: run_finished"]);
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

describe("how a script ends", () => {
  test.concurrent("a script that calls process.exit(0) itself: the run is finished and the summary still printed", async () => {
    const { dir, runs } = await project({
      "exits.ts": `import { getCurrentRun } from "scryptorum";\ngetCurrentRun()!.logMetric("done", 1);\nsetTimeout(() => process.exit(0), 5);\n`,
    });
    const r = await cli(["run", "ex", "-s", "exits.ts", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ run_id: "trial_run", status: "finished", metrics: { done: 1 } });
    expect(readJson(join(runs, "ex/runs/trial_run/run.json")).status).toBe("finished");
  });

  test.concurrent("a script that sets process.exitCode = 3: the run is failed and the CLI exits 1", async () => {
    const { dir, runs } = await project({ "code.ts": "process.exitCode = 3;\n" });
    const r = await cli(["run", "code", "-s", "code.ts"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("your code set process.exitCode to 3");
    expect(readJson(join(runs, "code/runs/trial_run/run.json")).status).toBe("failed");
  });

  test.concurrent("work the script starts in its own beforeExit listener runs to the end", async () => {
    const { dir, runs } = await project({
      "be.ts": [
        'import { getCurrentRun } from "scryptorum";',
        "const run = getCurrentRun()!;",
        "let once = false;",
        'process.on("beforeExit", () => {',
        "  if (once) return;",
        "  once = true;",
        '  setTimeout(() => run.logMetric("final_score", 0.9), 50);',
        "});",
      ].join("\n"),
    });
    const r = await cli(["run", "be", "-s", "be.ts", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).metrics).toEqual({ final_score: 0.9 });
    expect(existsSync(join(runs, "be/runs/trial_run/run.json"))).toBe(true);
  });

  test.concurrent("a plugin's async onRunFinish finishes before the CLI exits", async () => {
    const { dir } = await project({
      "plugin.ts": [
        'import { writeFileSync } from "node:fs";',
        "export default {",
        '  name: "uploader",',
        "  async onRunFinish(run: any) {",
        "    await new Promise((r) => setTimeout(r, 100));",
        '    writeFileSync("uploaded.txt", run.id);',
        "  },",
        "};",
      ].join("\n"),
      "exp.ts": "export default () => {};\n",
    });
    const anchor = join(dir, ".scryptorum");
    await Bun.write(anchor, JSON.stringify({ ...readJson(anchor), plugins: ["./plugin.ts"] }));
    const r = await cli(["run", "pl", "-m", "exp.ts"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "uploaded.txt"), "utf8")).toBe("trial_run");
  });
});

describe("signals and errors the user's code handles", () => {
  test.concurrent("a SIGINT the script handles: its shutdown runs, the run ends interrupted and the CLI exits 130", async () => {
    const { dir, runs } = await project({
      "graceful.ts": [
        'import { getCurrentRun } from "scryptorum";',
        "let stop = false;",
        'process.on("SIGINT", () => (stop = true));',
        'console.error("ready");',
        "while (!stop) await new Promise((r) => setTimeout(r, 10));",
        'getCurrentRun()!.logMetric("final_score", 0.5);',
      ].join("\n"),
    });
    const proc = Bun.spawn([process.execPath, join(REPO, "commands/cli.ts"), "run", "gr", "-s", "graceful.ts", "--json"], { cwd: dir, env: { ...process.env, NO_COLOR: "1" }, stdout: "pipe", stderr: "pipe" });
    const reader = proc.stderr.getReader();
    let seen = "";
    while (!seen.includes("ready")) seen += new TextDecoder().decode((await reader.read()).value);
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);
    const summary = JSON.parse(await new Response(proc.stdout).text());
    expect(summary).toMatchObject({ status: "interrupted", metrics: { final_score: 0.5 } });
    expect(readJson(join(runs, "gr/runs/trial_run/run.json")).status).toBe("interrupted");
  });

  test.concurrent("the script's beforeExit listener runs once, as under plain bun", async () => {
    const { dir, runs } = await project({
      "once.ts": 'import { getCurrentRun } from "scryptorum";\nlet n = 0;\nprocess.on("beforeExit", () => getCurrentRun()!.logMetric("be_calls", ++n));\n',
    });
    const r = await cli(["run", "once", "-s", "once.ts", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).metrics).toEqual({ be_calls: 1 });
  });

  test.concurrent("an uncaught error the script's own handler deals with: the script goes on and the run finishes", async () => {
    const { dir } = await project({
      "handled.ts": [
        'import { getCurrentRun } from "scryptorum";',
        'process.on("uncaughtException", (e) => console.error("handled", e.message));',
        'setTimeout(() => { throw new Error("boom"); }, 1);',
        'setTimeout(() => getCurrentRun()!.logMetric("after", 1), 30);',
      ].join("\n"),
    });
    const r = await cli(["run", "hd", "-s", "handled.ts", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "finished", metrics: { after: 1 } });
    expect(r.stderr).toContain("handled boom");
  });
});

test.concurrent("--json: what a user's exit hook prints goes to stderr, stdout stays one JSON document", async () => {
  const { dir } = await project({ "hook.ts": 'process.on("exit", () => console.log("bye from the exit hook"));\nconsole.log("hello");\n' });
  const r = await cli(["run", "hook", "-s", "hook.ts", "--json"], { cwd: dir });
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).status).toBe("finished");
  expect(r.stderr).toContain("bye from the exit hook");
  expect(r.stderr).toContain("hello");
});
