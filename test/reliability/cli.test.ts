/**
 * The binary under load and hostile input: 20 milestones started at once, bad --module
 * and --script values, secrets given on the command line.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { bin, fixture, readJson, tree } from "../helpers/cli";

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map((e) => join(dir, String(e)))
    .filter((p) => statSync(p).isFile());
}

describe("binary under load", () => {
  test("20 `scryptorum run --milestone` started at once make 20 distinct run folders", async () => {
    const dir = fixture("no-install");
    expect((await bin(["init", "--no-gitignore"], { cwd: dir })).code).toBe(0);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => bin(["run", "answers", "-m", "src/experiment.ts", "--milestone", "--json"], { cwd: dir, timeoutMs: 120_000 })),
    );
    for (const r of results) expect({ code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ code: 0, stderr: "" });
    const ids = results.map((r) => JSON.parse(r.stdout).run_id as string);
    expect(new Set(ids).size).toBe(20);
    const runsDir = join(dir, "experiments/no-install-app/experiments/answers/runs");
    const folders = readdirSync(runsDir).filter((n) => !n.startsWith("."));
    expect(folders.sort()).toEqual([...ids].sort());
    for (const id of ids) expect(readJson(join(runsDir, id, "run.json"))).toMatchObject({ run_id: id, status: "finished" });
  }, 180_000);
});

describe("hostile --module and --script values", () => {
  const cases: [string, string[]][] = [
    ["a module that does not exist", ["-m", "src/nope.ts"]],
    ["a script that does not exist", ["-s", "nope.ts"]],
    ["an http URL", ["-m", "http://example.com/x.ts"]],
    ["a file URL", ["-s", "file:///etc/passwd"]],
    ["a data URL", ["-m", "data:text/javascript,console.log(1)"]],
    ["an experiment name with ..", ["-m", "src/experiment.ts", "--run-id", "../x", "--milestone"]],
  ];
  test.each(cases)("%s: exit 2, nothing created", async (_name, args) => {
    const dir = fixture("no-install");
    expect((await bin(["init", "--no-gitignore"], { cwd: dir })).code).toBe(0);
    const before = tree(dir);
    const r = await bin(["run", "answers", ...args], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
    expect(tree(dir)).toEqual(before);
  });
});

test("a --module or --script value with NUL is refused as a user error (exit 2); the OS cannot even pass one in argv", async () => {
  const { resolveModule, resolveScript } = await import("../../src/loader");
  for (const fn of [resolveModule, resolveScript]) {
    let error: any;
    try {
      fn("src/exp\0eriment.ts", process.cwd());
    } catch (e) {
      error = e;
    }
    expect(error?.name).toBe("UserError");
    expect(error?.exitCode).toBe(2);
    expect(error?.message).toContain("NUL");
  }
});

describe("secrets on the command line and in the environment", () => {
  test("--api-key, OPENAI_API_KEY, AWS_SECRET_ACCESS_KEY and a config URL never land in the run", async () => {
    const dir = fixture("no-install");
    expect((await bin(["init", "--no-gitignore"], { cwd: dir })).code).toBe(0);
    await Bun.write(join(dir, "cfg.json"), JSON.stringify({ endpoint: "https://bob:CANARY_CFG_PASS@api.example.com/v1", api_key: "CANARY_CFG_KEY" }));
    await Bun.write(join(dir, ".env"), "SOME_TOKEN=CANARY_DOTENV\n");
    // An experiment that does not log its own argv (a user who logs raw values logs them).
    await Bun.write(join(dir, "src/quiet.ts"), `import { experiment, metric } from "scryptorum";\nexport default experiment("answers")(() => metric("ok")(() => 1)());\n`);
    const r = await bin(["run", "answers", "-m", "src/quiet.ts", "--milestone", "--run-id", "sec", "--config", "cfg.json", "--", "--api-key=CANARY_ARGV_1", "--token", "CANARY_ARGV_2"], {
      cwd: dir,
      env: { OPENAI_API_KEY: "CANARY_ENV_OPENAI", AWS_SECRET_ACCESS_KEY: "CANARY_ENV_AWS" },
    });
    expect(r.code).toBe(0);
    const runDir = join(dir, "experiments/no-install-app/experiments/answers/runs/sec");
    const files = filesUnder(runDir);
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const text = readFileSync(f, "latin1");
      expect({ file: f, leaked: text.match(/CANARY_[A-Z_0-9]+/)?.[0] }).toEqual({ file: f, leaked: undefined });
    }
    const meta = readJson(join(runDir, "run.json"));
    expect(meta.argv).toContain("--api-key=[redacted]");
    expect(meta.config.api_key).toBe("[redacted]");
  });
});
