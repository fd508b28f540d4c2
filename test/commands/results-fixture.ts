/**
 * A fixture experiment for the results commands, built through the public API: a trial and
 * two milestones of experiment "qa" in a git work tree, whose config, prompt and code change
 * between the milestones, with four cases (q1 worse, q2 better, q3 changed output, q4 same).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Experiment, Project } from "../../src/index";
import { cmd } from "../helpers/cli";

export const REPO = resolve(import.meta.dir, "../..");

export interface Fixture {
  dir: string;
  root: string;
  cleanup(): void;
}

function write(path: string, text: string) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function git(cwd: string, ...args: string[]) {
  execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=Test", ...args], { cwd, stdio: "ignore" });
}

/** Scores of each case in v1 and v2 (`correct`), and their outputs. */
const CASES = {
  v1: { q1: [1, "Paris"], q2: [0, "Lyon"], q3: [1, "4"], q4: [1, "blue"] },
  v2: { q1: [0, "Nice"], q2: [1, "Berlin"], q3: [1, "four"], q4: [1, "blue"] },
} as const;

export function buildFixture(): Fixture {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "scry-results-")));
  git(dir, "init", "-q", "-b", "main");
  write(join(dir, "src/app.ts"), "export const model = 'gpt-4o';\nexport const retries = 2;\n");
  const project = Project.init(dir, { name: "demo" });
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "fixture");

  const exp = new Experiment(project, "qa");
  write(join(exp.dir, "config/model.json"), `${JSON.stringify({ model: "gpt-4o", temperature: 0.2 }, null, 2)}\n`);
  write(join(exp.dir, "prompts/answer.txt"), "Answer briefly.\n");

  const trial = exp.createRun("trial", undefined, { config: { model: "gpt-4o-mini", temperature: 0.2 } });
  trial.logMetric("accuracy", 0.5);
  trial.finish();

  for (const id of ["v1", "v2"] as const) {
    if (id === "v2") {
      // v2: an uncommitted code change, a new config value, a reworded prompt.
      write(join(dir, "src/app.ts"), "export const model = 'gpt-4o';\nexport const retries = 3;\n");
      write(join(exp.dir, "config/model.json"), `${JSON.stringify({ model: "gpt-4o", temperature: 0.7 }, null, 2)}\n`);
      write(join(exp.dir, "prompts/answer.txt"), "Answer in one word.\n");
    }
    const temperature = id === "v1" ? 0.2 : 0.7;
    const run = exp.createRun("milestone", id, { config: { model: "gpt-4o", temperature }, cwd: dir });
    for (let step = 0; step < 4; step++) run.logMetric("loss", (id === "v1" ? 1 : 0.8) / (step + 1), "loss", { step });
    run.logMetric("accuracy", 0.75); // the same in both: --only-changed hides it
    run.logMetric("f1", id === "v1" ? 0.7 : 0.8);
    for (const [c, [score, output]] of Object.entries(CASES[id])) {
      run.logLlmCall({
        model: "gpt-4o",
        input: `question ${c}`,
        output,
        durationMs: id === "v1" ? 100 : 150,
        usage: { prompt_tokens: 100, completion_tokens: 10 },
        costUsd: 0.01,
        case: c,
      });
      run.logMetric("correct", score, "score", { case: c });
    }
    run.logTiming("load", id === "v1" ? 20 : 10);
    run.logTiming("load", id === "v1" ? 40 : 30);
    run.addTags(id === "v1" ? "baseline" : "candidate");
    if (id === "v2") run.setNote("shorter prompt");
    run.finish();
  }
  return { dir, root: project.root, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command in this process through the dispatcher (`cmd`, test/helpers/cli.ts) in `cwd`, with NO_COLOR=1. */
export function cli(cwd: string, ...args: string[]): Promise<CliResult> {
  return cmd(args, { cwd });
}

/** Runs the CLI and parses its stdout as JSON. */
export async function cliJson<T = any>(cwd: string, ...args: string[]): Promise<{ code: number; json: T; stderr: string }> {
  const r = await cli(cwd, ...args, "--json");
  let json: T;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, json, stderr: r.stderr };
}
