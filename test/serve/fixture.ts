/**
 * A project for the viewer's tests, made through the public API only: experiment "qa" with
 * two finished milestones (v1, v2: different config, prompt, code and cases), XSS payloads
 * in an LLM output and a metric name, artifacts, and a symlink pointing out of the project.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Experiment, Project, RunType } from "../../src/index";
import { tempDir } from "../helpers/project";

export const XSS_OUTPUT = `<img src=x onerror=alert(1)></script><script>alert("out")</script>`;
export const XSS_METRIC = `<img src=x onerror=alert(2)>`;
export const SECRET_TEXT = "TOP-SECRET-OUTSIDE-THE-PROJECT";

export interface Fixture {
  /** Folder holding `.scryptorum`. */
  dir: string;
  /** The project root. */
  root: string;
  /** A file outside the project that links point at. */
  outside: string;
}

/**
 * Builds the fixture project.
 *
 * @example
 * const fx = makeFixture();
 * const server = await startServer({ projectRoot: fx.root, port: 0 });
 */
export function makeFixture(): Fixture {
  const dir = tempDir("scry-serve-");
  const outside = join(tempDir("scry-outside-"), "secret.txt");
  writeFileSync(outside, `${SECRET_TEXT}\n`);
  const project = Project.init(dir, { name: "demo", gitignore: false });
  const src = join(dir, "app");
  mkdirSync(join(src, "lib"), { recursive: true });
  writeFileSync(join(src, "main.ts"), `export const answer = (q: string) => q.length;\n`);
  writeFileSync(join(src, "lib", "util.ts"), `export const version = 1;\n// ${XSS_OUTPUT}\n`);

  const exp = new Experiment(project.root, "qa");
  writeFileSync(join(exp.dir, "prompts", "system.md"), "You are terse.\n");

  const v1 = exp.createRun(RunType.MILESTONE, "v1", { cwd: src, config: { model: "gpt-4o-mini", temperature: 0.2 }, tags: ["baseline"] });
  v1.logMetric("accuracy", 0.8, "accuracy");
  for (let step = 1; step <= 5; step++) v1.logMetric("loss", 1 / step, "loss", { step });
  v1.logMetric(XSS_METRIC, 1, "custom");
  v1.logTiming("retrieve", 12.5);
  v1.logTiming("retrieve", 20);
  v1.logLlmCall({ model: "gpt-4o-mini", input: "capital of France?", output: "Paris", durationMs: 420, usage: { input_tokens: 12, output_tokens: 3, total_tokens: 15 }, costUsd: 0.0012, case: "q1" });
  v1.logLlmCall({ model: "gpt-4o-mini", input: "2+2?", output: "5", durationMs: 300, usage: { input_tokens: 8, output_tokens: 1, total_tokens: 9 }, costUsd: 0.0008, case: "q2" });
  v1.logLlmCall({ model: "gpt-4o-mini", input: "say something", output: XSS_OUTPUT, durationMs: 250, case: "q3" });
  v1.logMetric("correct", 1, "accuracy", { case: "q1" });
  v1.logMetric("correct", 0, "accuracy", { case: "q2" });
  v1.saveArtifact("predictions.json", JSON.stringify({ q1: "Paris" }));
  v1.saveArtifact("plots/loss.svg", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert("svg")</script></svg>`);
  v1.setNote("first try");
  v1.finish();
  // An artifact that is a symlink out of the project.
  symlinkSync(outside, join(v1.artifactsDir, "escape.txt"));

  writeFileSync(join(src, "main.ts"), `export const answer = (q: string) => q.trim().length;\n`);
  writeFileSync(join(exp.dir, "prompts", "system.md"), "You are terse and exact.\n");
  const v2 = exp.createRun(RunType.MILESTONE, "v2", { cwd: src, config: { model: "gpt-4o-mini", temperature: 0.7 } });
  v2.logMetric("accuracy", 0.9, "accuracy");
  for (let step = 1; step <= 5; step++) v2.logMetric("loss", 0.8 / step, "loss", { step });
  v2.logTiming("retrieve", 10);
  v2.logLlmCall({ model: "gpt-4o-mini", input: "capital of France?", output: "Paris", durationMs: 380, usage: { input_tokens: 12, output_tokens: 3, total_tokens: 15 }, costUsd: 0.0011, case: "q1" });
  v2.logLlmCall({ model: "gpt-4o-mini", input: "2+2?", output: "4", durationMs: 310, usage: { input_tokens: 8, output_tokens: 1, total_tokens: 9 }, costUsd: 0.0008, case: "q2" });
  v2.logMetric("correct", 1, "accuracy", { case: "q1" });
  v2.logMetric("correct", 1, "accuracy", { case: "q2" });
  v2.finish();

  new Experiment(project.root, "empty");
  return { dir, root: project.root, outside };
}
