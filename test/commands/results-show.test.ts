import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { buildFixture, cli, cliJson, REPO, type Fixture } from "./results-fixture";
import { Experiment, Project } from "../../src/index";
import { displayWidth } from "../../src/cli/tables";

let f: Fixture;
beforeAll(() => {
  f = buildFixture();
});
afterAll(() => f.cleanup());

describe("scryptorum show", () => {
  test("prints the header, metrics, timings and LLM calls of a run", async () => {
    const r = await cli(f.dir, "show", "qa", "v1");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("v1  milestone  finished  (qa)");
    expect(r.stdout).toContain("tags     baseline");
    expect(r.stdout).toMatch(/git\s+[0-9a-f]{12} on main \(clean\)/);
    expect(r.stdout).toMatch(/^ {2}loss\s+0\.25\s+0\.25\s+1\s+4$/m);
    expect(r.stdout).toMatch(/^ {2}accuracy\s+0\.75\s+1$/m);
    expect(r.stdout).toMatch(/^ {2}load\s+2\s+60ms\s+30ms\s+20ms\s+40ms$/m);
    expect(r.stdout).toContain("4 calls, 0 errors, 400 tokens in, 40 out, cost $0.0400");
    expect(r.stdout).toMatch(/^ {2}gpt-4o\s+4\s+0\s+400\s+40\s+\$0\.0400$/m);
    expect(r.stdout).toContain("case q1");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(r.stdout).not.toContain("\x1b[");
  });

  test("labels the start time with the local zone it is shown in (not UTC) under TZ=America/New_York", async () => {
    const started = (await cliJson(f.dir, "show", "qa", "v1")).json.started_at as string;
    const env: Record<string, string> = { ...(process.env as Record<string, string>), NO_COLOR: "1", TZ: "America/New_York" };
    for (const k of Object.keys(env)) if (k.startsWith("SCRYPTORUM_")) delete env[k];
    const r = Bun.spawnSync([process.execPath, join(REPO, "commands/cli.ts"), "show", "qa", "v1"], { cwd: f.dir, env, stdout: "pipe", stderr: "pipe" });
    expect(r.exitCode).toBe(0);
    const line = r.stdout.toString().split("\n").find((l) => l.startsWith("started"))!;
    // New York is 4 or 5 hours behind UTC: the wall-clock time printed carries that offset, never "UTC".
    const m = /started\s+(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d) UTC([+-])(\d\d):(\d\d)\s/.exec(line);
    expect(m).not.toBeNull();
    const [, y, mo, d, h, mi, sign, oh, om] = m!;
    expect(sign).toBe("-");
    expect(["04", "05"]).toContain(oh!);
    const shownAsUtc = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!) + (+oh! * 60 + +om!) * 60_000;
    expect(shownAsUtc).toBe(Math.floor(Date.parse(started) / 60_000) * 60_000);
  });

  test("defaults to the latest run and marks a dirty work tree", async () => {
    const r = await cli(f.dir, "show", "qa");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("v2  milestone  finished  (qa)");
    expect(r.stdout).toContain("note     shorter prompt");
    expect(r.stdout).toMatch(/git\s+[0-9a-f]{12} on main \(dirty\)/);
  });

  test("--json has a stable shape", async () => {
    const { code, json } = await cliJson(f.dir, "show", "qa", "v1");
    expect(code).toBe(0);
    expect(Object.keys(json)).toEqual([
      "run_id", "run_type", "experiment", "project", "status", "started_at", "finished_at", "duration_seconds",
      "tags", "note", "config", "error", "git", "metrics", "timings", "llm", "events", "figures",
    ]);
    expect(json.git).toMatchObject({ branch: "main", dirty: false });
    expect(json.metrics[0]).toEqual({ name: "loss", type: "loss", last: 0.25, count: 4, min: 0.25, max: 1, mean: (1 + 0.5 + 1 / 3 + 0.25) / 4, last_step: 3 });
    expect(json.timings).toEqual([{ operation: "load", count: 2, total_ms: 60, mean_ms: 30, p50_ms: 20, p95_ms: 40, max_ms: 40, errors: 0 }]);
    expect(json.llm).toMatchObject({ calls: 4, errors: 0, input_tokens: 400, output_tokens: 40, total_tokens: 440, cost_usd: 0.04 });
    expect(json.llm.models).toEqual([{ model: "gpt-4o", calls: 4, errors: 0, input_tokens: 400, output_tokens: 40, cost_usd: 0.04, total_ms: 400 }]);
    expect(json.figures).toMatchObject({ llm_calls: 4, tokens: 440, cost_usd: 0.04 });
    expect(json.spans).toBeUndefined();
  });

  test("--tree prints the span tree", async () => {
    const r = await cli(f.dir, "show", "qa", "v2", "--tree");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("SPANS");
    expect(r.stdout).toMatch(/[├└]─ llm gpt-4o ×4\s+600ms/);
    expect(r.stdout).toMatch(/[├└]─ load ×2\s+40ms/);
    const { json } = await cliJson(f.dir, "show", "qa", "v2", "--tree");
    expect(json.spans.map((s: any) => [s.name, s.kind, s.count])).toContainEqual(["gpt-4o", "llm", 4]);
  });

  test("an unknown run or experiment is exit 2 with what to run", async () => {
    const run = await cli(f.dir, "show", "qa", "nope");
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('error: run "nope" does not exist in experiment "qa": see the run ids with `scryptorum list-runs qa`');
    const exp = await cli(f.dir, "show", "nope");
    expect(exp.code).toBe(2);
    expect(exp.stderr).toContain('experiment "nope" does not exist');
    expect(exp.stderr).toContain("scryptorum list-experiments");
  });

  test("--project-root names the project from anywhere", async () => {
    const r = await cli("/", "show", "qa", "v1", "--project-root", f.root);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("v1  milestone  finished  (qa)");
  });
});

describe("a run killed with SIGKILL", () => {
  test("shows as crashed in show and list-runs", async () => {
    const script = join(f.dir, "killme.ts");
    await Bun.write(script, `import { Experiment } from ${JSON.stringify(join(REPO, "src/index.ts"))};
const run = new Experiment(process.argv[2]!, "crashy").createRun("milestone", "killed", { cwd: process.argv[2] });
run.logMetric("m", 1);
run.flush();
console.log("READY");
setInterval(() => {}, 1000);
`);
    const child = Bun.spawn([process.execPath, script, f.root], { cwd: f.dir, stdout: "pipe", stderr: "inherit" });
    const reader = child.stdout.getReader();
    let seen = "";
    while (!seen.includes("READY")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    child.kill("SIGKILL");
    await child.exited;

    const show = await cli(f.dir, "show", "crashy", "killed");
    expect(show.code).toBe(0);
    expect(show.stdout.split("\n")[0]).toBe("killed  milestone  crashed  (crashy)");
    expect((await cliJson(f.dir, "show", "crashy")).json.status).toBe("crashed");
    const list = await cli(f.dir, "list-runs", "crashy");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/killed\s+milestone\s+crashed/);
  });
});

describe("scryptorum show with CJK and emoji names", () => {
  test("metric values line up on screen (display width, not string length)", async () => {
    const exp = new Experiment(new Project(f.root), "cjk");
    const run = exp.createRun("milestone", "wide", { cwd: f.dir });
    run.logMetric("accuracy", 0.91);
    run.logMetric("精度", 0.5);
    run.logMetric("🎯 hits", 12);
    run.finish();
    const r = await cli(f.dir, "show", "cjk", "wide");
    expect(r.code).toBe(0);
    const rows = r.stdout.split("\n").filter((l) => /^ {2}(accuracy|精度|🎯 hits)\s/.test(l));
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((l) => displayWidth(l))).size).toBe(1);
  });
});
