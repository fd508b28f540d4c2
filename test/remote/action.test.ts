/**
 * The GitHub Action (action.yml) with a remote, as the README's workflow uses it: its steps
 * after the install are run here as GitHub would (bash -eo pipefail, `${{ }}` filled in,
 * `if:` evaluated, GITHUB_OUTPUT read between steps) in a fresh clone holding only
 * `.scryptorum`, the binary standing for the installed one, against the suite's Ceph
 * radosgw: the baseline is pulled, the pull request's milestone run and gated, the
 * comparison written to the step summary, the run pushed, also when the gate fails.
 */
import { expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { bin, REPO, spawn, tempDir } from "../helpers/cli";
import { s3Env, useS3Server } from "../helpers/s3";
import type { S3Server } from "../../scripts/s3-server";

let server: S3Server;
let binDir: string;
useS3Server({ binary: true }, (s, binary) => {
  server = s;
  binDir = dirname(binary!);
});

interface Step {
  id?: string;
  name: string;
  if?: string;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  runs: { steps: Step[] };
}

const ACTION = Bun.YAML.parse(readFileSync(join(REPO, "action.yml"), "utf8")) as Action;

/** The `with:` of the README workflow step that uses the action with a remote. */
function readmeInputs(): Record<string, string> {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  for (const m of readme.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)) {
    const wf = Bun.YAML.parse(m[1]!) as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }> };
    for (const job of Object.values(wf.jobs ?? {})) {
      for (const step of job.steps) {
        if (step.uses?.startsWith("scryptorum/scryptorum@") && step.with?.remote) return Object.fromEntries(Object.entries(step.with).map(([k, v]) => [k, String(v)]));
      }
    }
  }
  throw new Error("README: no workflow uses scryptorum/scryptorum with a remote");
}

interface Outcome {
  outcomes: Record<string, "success" | "failure" | "skipped">;
  failed: boolean;
  stderr: string;
}

/** Runs the action's steps after the install, as GitHub runs a composite action's steps. */
async function runAction(inputs: Record<string, string>, ctx: { cwd: string; pr: string; env: Record<string, string | undefined> }): Promise<Outcome> {
  for (const k of Object.keys(inputs)) expect(Object.keys(ACTION.inputs)).toContain(k);
  const input = (k: string) => inputs[k] ?? ACTION.inputs[k]?.default ?? "";
  const steps = ACTION.runs.steps;
  const installed = steps.findIndex((s) => s.id === "check"); // "Put it on PATH": the install ends there
  expect(installed).toBeGreaterThan(0);
  const outputs: Record<string, Record<string, string>> = {};
  const result: Outcome = { outcomes: {}, failed: false, stderr: "" };
  const fill = (text: string) =>
    text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
      let m: RegExpExecArray | null;
      if ((m = /^inputs\.([\w-]+)$/.exec(expr))) return input(m[1]!);
      if ((m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr))) return outputs[m[1]!]?.[m[2]!] ?? "";
      if (expr === "github.event.pull_request.number") return ctx.pr;
      throw new Error(`action.yml: this test does not fill in \${{ ${expr} }}`);
    });
  const holds = (cond: string | undefined): boolean => {
    // GitHub: an `if:` without a status function means success() && …
    let status = !result.failed;
    const ok = (cond ?? "").split("&&").map((p) => p.trim()).filter(Boolean).every((p) => {
      let m: RegExpExecArray | null;
      if (p === "always()") return (status = true);
      if ((m = /^inputs\.([\w-]+) (==|!=) '(.*)'$/.exec(p))) return (input(m[1]!) === m[3]) === (m[2] === "==");
      if ((m = /^steps\.([\w-]+)\.outcome (==|!=) '(.*)'$/.exec(p))) return ((result.outcomes[m[1]!] ?? "skipped") === m[3]) === (m[2] === "==");
      throw new Error(`action.yml: this test does not evaluate "${p}"`);
    });
    return ok && status;
  };
  for (const step of steps.slice(installed + 1)) {
    const key = step.id ?? step.name;
    if (!holds(step.if)) {
      result.outcomes[key] = "skipped";
      continue;
    }
    expect(step.shell).toBe("bash");
    const out = join(ctx.cwd, "..", `output-${key}`);
    writeFileSync(out, "");
    const env: Record<string, string | undefined> = {
      ...ctx.env,
      PATH: `${binDir}${delimiter}${process.env.PATH}`,
      GITHUB_OUTPUT: out,
      GITHUB_STEP_SUMMARY: join(ctx.cwd, "..", "summary.md"),
      GITHUB_REF_NAME: "7/merge",
      GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
    };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = fill(String(v));
    const r = await spawn(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", fill(step.run!)], { cwd: ctx.cwd, env, timeoutMs: 60_000 });
    result.outcomes[key] = r.code === 0 ? "success" : "failure";
    if (r.code !== 0) {
      result.failed = true;
      result.stderr += `${step.name}: ${r.stderr}`;
    }
    outputs[key] = Object.fromEntries(readFileSync(out, "utf8").split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  }
  return result;
}

// The README's evals/sentiment.ts calls a model; this one logs the accuracy it is given.
const EVAL = `import { experiment, metric } from "scryptorum";
const accuracy = metric({ name: "accuracy", type: "accuracy" })(() => Number(process.env.ACCURACY ?? 0.9));
export default experiment("sentiment")(async () => accuracy());
`;

test("the Action with a remote, on a fresh clone: pulls the baseline, runs and gates the pull request's milestone, pushes it (also when the gate fails)", async () => {
  const inputs = readmeInputs();
  expect(inputs).toMatchObject({ experiment: "sentiment", baseline: "main", remote: "team" });
  const script = /(?:-m|-s|--module|--script) (\S+)/.exec(inputs.run!)![1]!;

  // Where the baseline was made (say, a teammate's machine): pushed once as "main".
  const origin = tempDir("scryptorum-action-main-");
  const here = (args: string[]) => bin(args, { cwd: origin, env: s3Env(server, { SCRYPTORUM_HOSTNAME: "laptop" }), timeoutMs: 60_000 });
  expect((await here(["init"])).code).toBe(0);
  expect((await here(["remote", "add", "team", `s3://${server.bucket}/action-${crypto.randomUUID().slice(0, 8)}`, "--endpoint", server.endpoint])).code).toBe(0);
  mkdirSync(dirname(join(origin, script)), { recursive: true });
  writeFileSync(join(origin, script), EVAL);
  expect((await here(["run", "sentiment", "-m", script, "--milestone", "--run-id", "main"])).code).toBe(0);
  expect((await here(["push"])).code).toBe(0);

  const clone = (pr: string) => {
    const dir = join(tempDir(`scryptorum-action-pr${pr}-`), "checkout");
    mkdirSync(dirname(join(dir, script)), { recursive: true });
    writeFileSync(join(dir, ".scryptorum"), readFileSync(join(origin, ".scryptorum")));
    writeFileSync(join(dir, script), EVAL);
    return dir;
  };

  const pass = clone("7");
  const ok = await runAction(inputs, { cwd: pass, pr: "7", env: s3Env(server, { SCRYPTORUM_HOSTNAME: "gh-runner" }) });
  expect(ok).toEqual({ outcomes: { ids: "success", baseline: "success", run: "success", gate: "success", summary: "success", push: "success" }, failed: false, stderr: "" });
  const summary = readFileSync(join(pass, "..", "summary.md"), "utf8");
  expect(summary).toContain("main");
  expect(summary).toContain("pr-7");

  // The gate fails: the step fails, the milestone is pushed all the same.
  const fail = clone("8");
  const bad = await runAction(inputs, { cwd: fail, pr: "8", env: s3Env(server, { SCRYPTORUM_HOSTNAME: "gh-runner", ACCURACY: "0.5" }) });
  expect(bad.outcomes).toEqual({ ids: "success", baseline: "success", run: "success", gate: "failure", summary: "success", push: "success" });
  expect(bad.stderr).toContain("Gate: error: 2 of 2 rules failed for run pr-8");

  expect((await here(["pull"])).code).toBe(0);
  const runs = JSON.parse((await here(["list-runs", "sentiment", "--json"])).stdout);
  expect(runs.map((r: any) => [r.run_id, r.origin?.hosts ?? null])).toEqual([["main", null], ["pr-7", ["gh-runner"]], ["pr-8", ["gh-runner"]]]);
  expect(existsSync(join(pass, "experiments"))).toBe(true); // the project root the first command made
}, 120_000);

test("the Action without an experiment only installs: every step after the install is skipped", async () => {
  const dir = tempDir("scryptorum-action-none-");
  const r = await runAction({}, { cwd: dir, pr: "", env: {} });
  expect(Object.values(r.outcomes).every((o) => o === "skipped")).toBe(true);
  expect(Object.keys(r.outcomes)).toHaveLength(6);
});

test("the milestone's default id: pr-<number> on a pull request, else the branch (made a valid id) and the short sha", async () => {
  const step = ACTION.runs.steps.find((s) => s.id === "ids")!;
  const idFor = async (pr: string, ref: string, runId = "") => {
    const dir = tempDir("scryptorum-action-ids-");
    const out = join(dir, "output");
    writeFileSync(out, "");
    const r = await spawn(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], { cwd: dir, env: { RUN_ID: runId, PR: pr, GITHUB_REF_NAME: ref, GITHUB_SHA: "0123456789abcdef", GITHUB_OUTPUT: out } });
    expect(r.code).toBe(0);
    return readFileSync(out, "utf8");
  };
  expect(await idFor("12", "12/merge")).toBe("run-id=pr-12\n");
  expect(await idFor("", "feature/new prompt")).toBe("run-id=feature-new-prompt-0123456\n");
  expect(await idFor("12", "main", "nightly")).toBe("run-id=nightly\n");
});
