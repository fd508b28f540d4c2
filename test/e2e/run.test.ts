/**
 * End to end: the compiled binary runs user projects made in temp folders.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, fixture, readJson, REPO, spawn, tempDir, writeFiles } from "../helpers/cli";

beforeAll(async () => {
  await ensureBinary();
});

const SUMMARY = /^run: {5}(\S+) \((trial|milestone)\)\nstatus: {2}(\w+) in \S+\nfolder: {2}(\S+)\nmetrics: (.*)\n$/;

function jsonl(path: string): any[] {
  return readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
}

describe("scryptorum run (binary)", () => {
  test.concurrent("(a) no scryptorum installed: imports scryptorum and a relative .ts file; trial, then milestone v1", async () => {
    const dir = fixture("no-install");
    expect(await bin(["init"], { cwd: dir })).toMatchObject({ code: 0, stdout: "" });
    // The project's name is package.json's without its scope.
    expect(readJson(join(dir, ".scryptorum"))).toEqual({ format: 1, project: "no-install-app", experiments_dir: "./experiments" });
    const root = join(dir, "experiments", "no-install-app");

    const trial = await bin(["run", "answers", "-m", "src/experiment.ts", "--", "--limit", "3", "--help"], { cwd: dir });
    expect(trial.stderr).toContain('started trial_run (trial) of experiment "answers": --module src/experiment.ts');
    expect(trial.code).toBe(0);
    const trialDir = join(root, "experiments", "answers", "runs", "trial_run");
    expect(trial.stdout).toMatch(SUMMARY);
    expect(trial.stdout.match(SUMMARY)!.slice(1)).toEqual(["trial_run", "trial", "finished", trialDir, "accuracy=0.75"]);
    // Arguments after `--` reach the user's code, `--help` included.
    const events = jsonl(join(trialDir, "run.jsonl"));
    expect(events.find((e) => e.event_type === "user_args").args).toEqual(["--limit", "3", "--help"]);
    expect(events.filter((e) => e.event_type === "llm_call")).toHaveLength(4);

    const milestone = await bin(["run", "answers", "-m", "src/experiment.ts", "--milestone", "--run-id", "v1"], { cwd: dir });
    expect(milestone.code).toBe(0);
    const v1 = join(root, "experiments", "answers", "runs", "v1");
    expect(milestone.stdout.match(SUMMARY)!.slice(1)).toEqual(["v1", "milestone", "finished", v1, "accuracy=0.75"]);
    expect(existsSync(join(v1, "code_snapshot", "src", "scoring.ts"))).toBe(true);

    const list = await bin(["list-runs", "answers", "--json"], { cwd: dir });
    expect(list.code).toBe(0);
    const runs = JSON.parse(list.stdout);
    expect(runs.map((r: any) => [r.run_id, r.run_type, r.status, r.metrics])).toEqual([
      ["trial_run", "trial", "finished", { accuracy: 0.75 }],
      ["v1", "milestone", "finished", { accuracy: 0.75 }],
    ]);

    const text = await bin(["list-runs", "answers"], { cwd: dir, env: { TZ: "UTC" } });
    const lines = text.stdout.trimEnd().split("\n");
    const started = (iso: string) => iso.slice(5, 16).replace("T", " ");
    expect(lines).toEqual([
      "RUN        TYPE       STATUS    STARTED      DURATION  METRICS",
      expect.stringMatching(new RegExp(`^trial_run  trial      finished  ${started(runs[0].started_at)}  \\S+ +accuracy=0\\.75$`)),
      expect.stringMatching(new RegExp(`^v1         milestone  finished  ${started(runs[1].started_at)}  \\S+ +accuracy=0\\.75$`)),
    ]);
  });

  test.concurrent("(b) a dependency that ships only dist/ (package.json main: dist/index.js)", async () => {
    const dir = fixture("dist-dep");
    renameSync(join(dir, "_node_modules"), join(dir, "node_modules"));
    expect((await bin(["init"], { cwd: dir })).code).toBe(0);
    const r = await bin(["run", "f1", "--module", "src/eval.ts", "--json"], { cwd: dir });
    expect(r.stderr).not.toContain("error");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ run_id: "trial_run", run_type: "trial", status: "finished", metrics: { f1: 8 / 9 } });
    expect(summary.dir).toBe(join(dir, "experiments", "dist-dep-app", "experiments", "f1", "runs", "trial_run"));
  });

  test.concurrent("(c) a BaseRunnable class via --module file.ts#Name, with @timer decorators and --config", async () => {
    const dir = fixture("runnable");
    expect((await bin(["init", "--project-name", "classy"], { cwd: dir })).code).toBe(0);
    await Bun.write(join(dir, "threshold.json"), JSON.stringify({ threshold: 0.8, api_key: "sk-secret" }));
    const r = await bin(["run", "sentiment", "-m", "src/sentiment.ts#Sentiment", "--config", "threshold.json", "--json"], { cwd: dir });
    expect(r.stderr).not.toContain("error");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ status: "finished", metrics: { positive_rate: 0.25, accuracy: 0.75 } });
    const timings = jsonl(join(summary.dir, "timings.jsonl")).map((t) => t.operation);
    expect(timings).toEqual(["load_scores", "execute"]);
    expect(jsonl(join(summary.dir, "run.jsonl")).some((e) => e.event_type === "cleaned_up")).toBe(true);
    expect(readJson(join(summary.dir, "run.json")).config).toEqual({ threshold: 0.8, api_key: "[redacted]" });

    // Two runnable exports and no #Name: the run fails and says how to pick one.
    const two = await bin(["run", "sentiment", "-m", "src/sentiment.ts"], { cwd: dir });
    expect(two.code).toBe(1);
    expect(two.stderr).toContain(
      'error: experiment "sentiment" failed: Error: src/sentiment.ts exports several experiments (Other, Sentiment): pick one with --module src/sentiment.ts#Other\n',
    );
  });

  test.concurrent("(d) a script whose experiment call is guarded by import.meta.main", async () => {
    const dir = fixture("guarded-script");
    expect((await bin(["init", "--project-name", "guarded"], { cwd: dir })).code).toBe(0);
    const r = await bin(["run", "guarded", "--script", "eval.ts", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ status: "finished", metrics: { score: 0.42 } });
    const called = jsonl(join(summary.dir, "run.jsonl")).filter((e) => e.event_type === "main_called");
    expect(called).toEqual([expect.objectContaining({ import_meta_main: false })]);
  });

  test.concurrent("under Node: dist/cli.mjs loads TypeScript through jiti and joins the run", async () => {
    const dir = fixture("no-install");
    const node = (args: string[]) => spawn([Bun.which("node")!, join(REPO, "dist", "cli.mjs"), ...args], { cwd: dir });
    expect((await node(["init"])).code).toBe(0);
    const r = await node(["run", "answers", "-m", "src/experiment.ts", "--json", "--", "x"]);
    expect(r.stderr).not.toContain("error");
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ status: "finished", metrics: { accuracy: 0.75 } });
    expect(jsonl(join(summary.dir, "run.jsonl")).find((e) => e.event_type === "user_args").args).toEqual(["x"]);
  });

  test.concurrent("an unhandled rejection or a throw from a timer: two plain lines, not the bundle's source", async () => {
    const dir = tempDir();
    writeFiles(dir, {
      "reject.ts": 'export default function () { Promise.reject(new Error("x")); }\n',
      "timer.ts": 'setTimeout(() => { throw new Error("from a timer"); }, 5);\n',
      "string.ts": 'export default async () => { Promise.reject("just a string"); await new Promise((r) => setTimeout(r, 500)); };\n',
    });
    expect((await bin(["init", "--project-name", "p"], { cwd: dir })).code).toBe(0);
    const cases: [string[], string][] = [
      [["-m", "reject.ts"], "Error: x"],
      [["-s", "timer.ts"], "Error: from a timer"],
      [["-m", "string.ts", "--json"], "just a string"],
    ];
    for (const [args, error] of cases) {
      const r = await bin(["run", "e", ...args], { cwd: dir });
      const runDir = join(dir, "experiments", "p", "experiments", "e", "runs", "trial_run");
      expect(r.code).toBe(1);
      // Under --json the error is one JSON line (issue 15).
      expect(r.stderr.split("\n").slice(1)).toEqual(
        args.includes("--json")
          ? [JSON.stringify({ error: { message: `experiment "e" failed: ${error}`, code: 1, run_file: `${runDir}/run.json` } }), ""]
          : [`error: experiment "e" failed: ${error}`, `  the run is marked failed; the stack is in ${runDir}/run.json (or rerun with --debug)`, ""],
      );
      expect(readJson(join(runDir, "run.json")).status).toBe("failed");
    }
  });

  describe("user code that fails: exit 1, run failed with the error in run.json", () => {
    const cases = [
      {
        file: "throws.ts",
        message: 'experiment "boom" failed: TypeError: the model returned nothing',
        error: { name: "TypeError", message: "the model returned nothing" },
        metrics: { partial: 1 },
      },
      { file: "broken.ts", message: 'experiment "boom" failed: CompileError: ', error: { name: "CompileError" }, metrics: {} },
      {
        file: "nothing.ts",
        message:
          'experiment "boom" failed: Error: nothing.ts exports nothing runnable: export an experiment(), a BaseRunnable class or a default function, or name one with --module nothing.ts#name',
        error: { name: "Error" },
        metrics: {},
      },
    ];
    test.concurrent("a typo in #Export: exit 2 before anything is written; a BaseRunnable with run(): exit 2 naming execute()", async () => {
      const dir = fixture("failing");
      writeFiles(dir, { "py.ts": 'import { BaseRunnable } from "scryptorum";\nexport class Py extends BaseRunnable { run() {} }\n' });
      expect((await bin(["init", "--project-name", "failing"], { cwd: dir })).code).toBe(0);
      const typo = await bin(["run", "boom", "-m", "throws.ts#Nope", "--milestone"], { cwd: dir });
      expect(typo.code).toBe(2);
      expect(typo.stderr).toStartWith('error: --module throws.ts#Nope: throws.ts has no export "Nope" (it exports: ');
      expect(existsSync(join(dir, "experiments", "failing", "experiments", "boom"))).toBe(false);
      const py = await bin(["run", "py", "-m", "py.ts"], { cwd: dir });
      expect(py.code).toBe(2);
      expect(py.stderr).toContain("error: Py defines run(), which BaseRunnable does not call (this.run is the Run): name that phase execute()");
    }, 30_000);
    for (const c of cases) {
      test.concurrent(c.file, async () => {
        const dir = fixture("failing");
        expect((await bin(["init", "--project-name", "failing"], { cwd: dir })).code).toBe(0);
        const r = await bin(["run", "boom", "-m", c.file], { cwd: dir });
        expect(r.code).toBe(1);
        const runDir = join(dir, "experiments", "failing", "experiments", "boom", "runs", "trial_run");
        const lines = r.stderr.trimEnd().split("\n").slice(-2);
        expect(lines[0]).toStartWith(`error: ${c.message}`);
        expect(lines[1]).toBe(`  the run is marked failed; the stack is in ${runDir}/run.json (or rerun with --debug)`);
        expect(r.stdout.match(SUMMARY)!.slice(1, 4)).toEqual(["trial_run", "trial", "failed"]);
        const meta = readJson(join(runDir, "run.json"));
        expect(meta.status).toBe("failed");
        expect(meta.error).toMatchObject(c.error);
        expect(meta.metrics_summary).toEqual(c.metrics);
        if (c.file === "broken.ts") expect(meta.error.message).toStartWith(`${join(dir, "broken.ts")}:4:`);
      });
    }
  });
});
