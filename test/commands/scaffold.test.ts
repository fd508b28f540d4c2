/** init, create-project and create-experiment, each in a fresh temp folder. */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli, cmd, readJson, tempDir, tree, writeFiles } from "../helpers/cli";
import pkg from "../../package.json" with { type: "json" };

const git = (cwd: string) => Bun.spawnSync(["git", "init", "-q", "."], { cwd });

describe("init", () => {
  test.concurrent("in a git repo: .scryptorum, the project root, /experiments/ in .gitignore", async () => {
    const dir = tempDir();
    git(dir);
    writeFiles(dir, { "package.json": JSON.stringify({ name: "@acme/llm-app" }), ".gitignore": "node_modules" });
    const r = await cmd(["init"], { cwd: dir });
    expect(r).toEqual({
      code: 0,
      stdout: "",
      stderr:
        '✔ set up project "llm-app": runs go to experiments/llm-app\nℹ next: scryptorum create-experiment <name>, then scryptorum run <name> --script <file>\n',
    });
    expect(readJson(join(dir, ".scryptorum"))).toEqual({ format: 1, project: "llm-app", experiments_dir: "./experiments" });
    expect(readJson(join(dir, "experiments/llm-app/project.json"))).toMatchObject({ format: 1, name: "llm-app", scryptorum_version: pkg.version });
    for (const d of ["experiments", "data", "models", "artifacts"]) expect(existsSync(join(dir, "experiments/llm-app", d))).toBe(true);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toBe("node_modules\n/experiments/\n");

    // Again: nothing changes, and it says so.
    const snapshot = tree(dir);
    const again = await cmd(["init"], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stderr).toStartWith('ℹ already set up: .scryptorum points at project "llm-app" in experiments/llm-app\n');
    expect(tree(dir)).toEqual(snapshot);
  });

  test.concurrent("--no-gitignore, --experiments-dir and --project-name", async () => {
    const dir = tempDir();
    git(dir);
    const r = await cmd(["init", "--no-gitignore", "--experiments-dir", "runs-here", "--project-name", "named"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, ".gitignore"))).toBe(false);
    expect(readJson(join(dir, ".scryptorum"))).toEqual({ format: 1, project: "named", experiments_dir: "runs-here" });
    expect(existsSync(join(dir, "runs-here/named/project.json"))).toBe(true);
  });

  test.concurrent("a different project without --force: exit 2, nothing changed", async () => {
    const dir = tempDir();
    expect((await cmd(["init", "--project-name", "one"], { cwd: dir })).code).toBe(0);
    const snapshot = tree(dir);
    const r = await cmd(["init", "--project-name", "two"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: ${join(dir, ".scryptorum")} already points at project "one" in ./experiments: pass --force to replace it\n`);
    expect(tree(dir)).toEqual(snapshot);
    expect((await cmd(["init", "--project-name", "two", "--force"], { cwd: dir })).code).toBe(0);
    expect(readJson(join(dir, ".scryptorum")).project).toBe("two");
  });

  test.concurrent("the same experiments dir spelled another way is the same place", async () => {
    const dir = tempDir();
    expect((await cmd(["init", "--project-name", "p", "--experiments-dir", "runs/exp"], { cwd: dir })).code).toBe(0);
    const snapshot = tree(dir);
    const again = await cmd(["init", "--project-name", "p", "--experiments-dir", "./runs/exp/"], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stderr).toStartWith('ℹ already set up: .scryptorum points at project "p" in runs/exp/p\n');
    expect(tree(dir)).toEqual(snapshot);
    const elsewhere = await cmd(["init", "--project-name", "p", "--experiments-dir", "runs/other"], { cwd: dir });
    expect(elsewhere.code).toBe(2);
  });

  test.concurrent("--force replaces a .scryptorum that is not valid JSON", async () => {
    const dir = tempDir();
    writeFiles(dir, { ".scryptorum": "garbage" });
    expect((await cmd(["init", "--project-name", "p"], { cwd: dir })).code).toBe(2);
    expect((await cmd(["init", "--project-name", "p", "--force"], { cwd: dir })).code).toBe(0);
    expect(readJson(join(dir, ".scryptorum"))).toEqual({ format: 1, project: "p", experiments_dir: "./experiments" });
  });

  test.concurrent("a bad project name: exit 2, nothing created", async () => {
    const dir = tempDir();
    const r = await cmd(["init", "--project-name", "../x"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: project name \"../x\" is not valid: use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit, and no '..'\n",
    );
    expect(tree(dir)).toEqual([]);
  });
});

describe("create-project", () => {
  test.concurrent("makes the project root and a runnable example", async () => {
    const dir = tempDir();
    const r = await cmd(["create-project", "demo"], { cwd: dir });
    expect(r).toEqual({
      code: 0,
      stdout: "",
      stderr: '✔ created project "demo" in demo\nℹ try it: cd demo && scryptorum run example -m examples/example_experiment.ts\n',
    });
    expect(tree(join(dir, "demo")).map((l) => l.split(" ")[0])).toEqual([
      "artifacts/",
      "data/",
      "examples/",
      "examples/example_experiment.ts",
      "experiments/",
      "models/",
      "project.json",
    ]);
    expect(readJson(join(dir, "demo/project.json"))).toMatchObject({ format: 1, name: "demo" });

    // The example runs offline, names its stand-in model, and logs llm calls, timers and accuracy.
    const run = await cli(["run", "example", "-m", "examples/example_experiment.ts", "--json"], { cwd: join(dir, "demo") });
    expect(run.stderr).toContain("using the offline stand-in model (set OPENAI_API_KEY to call a real one)\n");
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ status: "finished", metrics: { accuracy: 5 / 6 } });
    const events = readFileSync(join(summary.dir, "run.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const calls = events.filter((e) => e.event_type === "llm_call");
    expect(calls).toHaveLength(6);
    expect(calls[0]).toMatchObject({ model: "offline-stand-in", input: "Absolutely loved it, would buy again.", usage: { input_tokens: expect.any(Number) } });
    const timings = readFileSync(join(summary.dir, "timings.jsonl"), "utf8");
    expect(timings).toContain('"operation":"load_reviews"');
    expect(timings).toContain('"operation":"classify_all"');
  });

  test.concurrent("the example calls an OpenAI-compatible endpoint when OPENAI_BASE_URL / OPENAI_API_KEY are set", async () => {
    const seen: { auth: string | null; model: string }[] = [];
    const server = Bun.serve({
      port: 0,
      async fetch(req) {
        const body = (await req.json()) as { model: string; messages: { content: string }[] };
        seen.push({ auth: req.headers.get("authorization"), model: body.model });
        const review = body.messages[1]!.content.toLowerCase();
        const label = /broke|support/.test(review) ? "negative" : /nothing more/.test(review) ? "neutral" : "positive";
        return Response.json({
          choices: [{ message: { content: label } }],
          usage: { prompt_tokens: 40, completion_tokens: 1, total_tokens: 41 },
        });
      },
    });
    try {
      const dir = tempDir();
      expect((await cmd(["create-project", "demo"], { cwd: dir })).code).toBe(0);
      const env = { OPENAI_BASE_URL: `http://127.0.0.1:${server.port}/v1`, OPENAI_API_KEY: "sk-test", OPENAI_MODEL: "fake-4o" };
      const run = await cli(["run", "example", "-m", "examples/example_experiment.ts", "--json"], { cwd: join(dir, "demo"), env });
      expect(run.stderr).not.toContain("offline stand-in");
      expect(run.code).toBe(0);
      const summary = JSON.parse(run.stdout);
      expect(summary.metrics).toEqual({ accuracy: 1 });
      expect(seen).toHaveLength(6);
      expect(seen[0]).toEqual({ auth: "Bearer sk-test", model: "fake-4o" });
      const call = JSON.parse(readFileSync(join(summary.dir, "run.jsonl"), "utf8").split("\n")[1]!);
      expect(call).toMatchObject({ event_type: "llm_call", model: "fake-4o", usage: { input_tokens: 40, output_tokens: 1, total_tokens: 41 } });
    } finally {
      server.stop(true);
    }
  });

  test.concurrent("an existing project: nothing changed unless --force", async () => {
    const dir = tempDir();
    expect((await cmd(["create-project", "demo", "--parent-dir", "."], { cwd: dir })).code).toBe(0);
    const example = join(dir, "demo/examples/example_experiment.ts");
    writeFileSync(example, "// mine\n");
    const snapshot = tree(dir);
    const again = await cmd(["create-project", "demo"], { cwd: dir });
    expect(again).toEqual({ code: 0, stdout: "", stderr: 'ℹ project "demo" already exists in demo: nothing changed\n' });
    expect(tree(dir)).toEqual(snapshot);
    expect((await cmd(["create-project", "demo", "--force"], { cwd: dir })).code).toBe(0);
    expect(readFileSync(example, "utf8")).toContain('import { experiment, llmCall, metric, timer } from "scryptorum";');
  });

  test.concurrent("--parent-dir that does not exist, or a bad name: exit 2", async () => {
    const dir = tempDir();
    expect(await cmd(["create-project", "demo", "--parent-dir", "nope"], { cwd: dir })).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: --parent-dir nope: no such folder (${join(dir, "nope")}): create it first\n`,
    });
    expect((await cmd(["create-project", "a/b"], { cwd: dir })).stderr).toStartWith('error: project name "a/b" is not valid');
    expect(tree(dir)).toEqual([]);
  });
});

describe("create-experiment", () => {
  test.concurrent("makes experiment.json, runs/, data/, config/, prompts/ and starter files", async () => {
    const dir = tempDir();
    expect((await cmd(["create-project", "p"], { cwd: dir })).code).toBe(0);
    const root = join(dir, "p");
    const r = await cmd(["create-experiment", "sentiment"], { cwd: root });
    expect(r).toEqual({
      code: 0,
      stdout: "",
      stderr: '✔ created experiment "sentiment" in experiments/sentiment\nℹ next: scryptorum run sentiment --script <file> (or --module <file>)\n',
    });
    const exp = join(root, "experiments/sentiment");
    expect(tree(exp).map((l) => l.split(" ")[0])).toEqual([
      "config/",
      "config/config.json",
      "data/",
      "experiment.json",
      "prompts/",
      "prompts/system.md",
      "runs/",
    ]);
    expect(readJson(join(exp, "experiment.json"))).toEqual({ name: "sentiment", created_at: expect.any(String) });
    expect(readJson(join(exp, "config/config.json"))).toEqual({ model: "gpt-4o-mini", temperature: 0 });
    expect(readFileSync(join(exp, "prompts/system.md"), "utf8")).toContain('experiment "sentiment"');

    // Existing: nothing changed, and it says so.
    const createdAt = readJson(join(exp, "experiment.json")).created_at;
    writeFileSync(join(exp, "config/config.json"), '{"model":"mine"}');
    const snapshot = tree(dir);
    expect(await cmd(["create-experiment", "sentiment"], { cwd: root })).toEqual({
      code: 0,
      stdout: "",
      stderr: 'ℹ experiment "sentiment" already exists in experiments/sentiment: nothing changed\n',
    });
    expect(tree(dir)).toEqual(snapshot);
    expect((await cmd(["create-experiment", "sentiment", "--force"], { cwd: root })).code).toBe(0);
    expect(readJson(join(exp, "config/config.json"))).toEqual({ model: "gpt-4o-mini", temperature: 0 });
    expect(readJson(join(exp, "experiment.json")).created_at).toBe(createdAt);
  });

  test.concurrent("--project-root from elsewhere", async () => {
    const dir = tempDir();
    expect((await cmd(["create-project", "p"], { cwd: dir })).code).toBe(0);
    const other = tempDir();
    expect((await cmd(["create-experiment", "e1", "--project-root", join(dir, "p")], { cwd: other })).code).toBe(0);
    expect(existsSync(join(dir, "p/experiments/e1/experiment.json"))).toBe(true);
    expect(tree(other)).toEqual([]);
  });

  test.concurrent("outside any project: exit 2, says to run init", async () => {
    const dir = tempDir();
    expect(await cmd(["create-experiment", "demo"], { cwd: dir })).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: no scryptorum project found from ${dir}: run \`scryptorum init\` here, or pass --project-root\n`,
    });
    expect(tree(dir)).toEqual([]);
  });
});
