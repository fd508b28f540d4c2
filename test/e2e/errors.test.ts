/**
 * End to end: bad input to the binary exits 2 with one plain line naming the problem,
 * and creates, changes or empties nothing.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, fixture, tempDir, tree, writeFiles } from "../helpers/cli";

const NAME_RULE = "use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit, and no '..'";

let dir: string;
let before: string[];

beforeAll(async () => {
  await ensureBinary();
  // A project with a finished trial (files in runs/trial_run) and a milestone v1.
  dir = fixture("no-install");
  expect((await bin(["init"], { cwd: dir })).code).toBe(0);
  expect((await bin(["run", "answers", "-m", "src/experiment.ts"], { cwd: dir })).code).toBe(0);
  expect((await bin(["run", "answers", "-m", "src/experiment.ts", "--milestone", "--run-id", "v1"], { cwd: dir })).code).toBe(0);
  writeFileSync(join(dir, "config.json"), "{}");
  before = tree(dir);
});

const run = ["run", "answers"];
const cases: [string, string[], string][] = [
  ["--run-id without --milestone", [...run, "-m", "src/experiment.ts", "--run-id", "v2"], "--run-id is only for milestone runs: add --milestone, or drop --run-id"],
  ["neither --module nor --script", [...run], "nothing to run: give --module <file|package> or --script <file>"],
  ["both --module and --script", [...run, "-m", "src/experiment.ts", "-s", "src/experiment.ts"], "give either --module or --script, not both"],
  ["a missing script", [...run, "-s", "missing.ts"], "--script missing.ts: no such file (<dir>/missing.ts): check the path"],
  ["a missing module", [...run, "-m", "./missing.ts"], "--module ./missing.ts: no such file (<dir>/missing.ts): check the path"],
  ["a package that is not installed", [...run, "-m", "not-installed-pkg"], "--module not-installed-pkg: no such file in <dir>, and no installed package of that name: check the path or install the package"],
  ["a URL", [...run, "-m", "https://example.com/x.ts"], '--module "https://example.com/x.ts" is a URL: give a local file path or a package name'],
  ["a file URL", [...run, "-s", "file:///etc/passwd"], '--script "file:///etc/passwd" is a URL: give a local file path'],
  ["experiment ../x", ["run", "../x", "-m", "src/experiment.ts"], `experiment name "../x" is not valid: ${NAME_RULE}`],
  ["experiment a/b", ["run", "a/b", "-m", "src/experiment.ts"], `experiment name "a/b" is not valid: ${NAME_RULE}`],
  ["experiment %2e%2e", ["run", "%2e%2e", "-m", "src/experiment.ts"], `experiment name "%2e%2e" is not valid: ${NAME_RULE}`],
  ["run id ../x", [...run, "-m", "src/experiment.ts", "--milestone", "--run-id", "../x"], `run id "../x" is not valid: ${NAME_RULE}`],
  ["run id a/b", [...run, "-m", "src/experiment.ts", "--milestone", "--run-id", "a/b"], `run id "a/b" is not valid: ${NAME_RULE}`],
  ["run id %2e%2e", [...run, "-m", "src/experiment.ts", "--milestone", "--run-id", "%2e%2e"], `run id "%2e%2e" is not valid: ${NAME_RULE}`],
  ["run id trial_run", [...run, "-m", "src/experiment.ts", "--milestone", "--run-id", "trial_run"], 'run id "trial_run" is reserved for trial runs: choose another id'],
  ["a milestone id that exists", [...run, "-m", "src/experiment.ts", "--milestone", "--run-id", "v1"], 'run "v1" already exists in experiment "answers": choose another --run-id'],
  ["an unknown flag", [...run, "-m", "src/experiment.ts", "--frobnicate"], "unknown option --frobnicate: run `scryptorum run --help` for usage"],
  ["a flag without its value", [...run, "-m", "src/experiment.ts", "--run-id"], "option --run-id needs a value: run `scryptorum run --help` for usage"],
  ["a missing --config file", [...run, "-m", "src/experiment.ts", "--config", "nope.json"], "--config nope.json: no such file (<dir>/nope.json)"],
  ["a missing experiment argument", ["run", "-m", "src/experiment.ts"], "missing <experiment>: run `scryptorum run --help` for usage"],
  ["an unknown command", ["lsit-runs", "answers"], 'unknown command "lsit-runs": did you mean `scryptorum list-runs`? run `scryptorum --help` to see the commands'],
  ["list-runs of an experiment that does not exist", ["list-runs", "nope"], 'experiment "nope" does not exist in <dir>/experiments/no-install-app: create it with `scryptorum create-experiment nope`'],
];

describe("bad input: exit 2, one line, nothing written", () => {
  for (const [name, args, message] of cases) {
    test.concurrent(name, async () => {
      const r = await bin(args, { cwd: dir });
      expect({ code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({
        code: 2,
        stderr: `error: ${message.replaceAll("<dir>", dir)}\n`,
        stdout: "",
      });
      expect(tree(dir)).toEqual(before);
    });
  }

  test.concurrent("an invalid --config file", async () => {
    const r = await bin([...run, "-m", "src/experiment.ts", "--config", "src/scoring.ts"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith("error: --config src/scoring.ts is not valid JSON: ");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(tree(dir)).toEqual(before);
  });

  test.concurrent("--debug adds the stack", async () => {
    const r = await bin(["run", "a/b", "-m", "src/experiment.ts", "--debug"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith(`error: experiment name "a/b" is not valid: ${NAME_RULE}\nUserError: `);
    expect(r.stderr).toContain("    at ");
  });
});

describe("outside any project", () => {
  for (const args of [["create-experiment", "demo"], ["run", "demo", "-s", "x.ts"], ["list-experiments"]]) {
    test.concurrent(`${args[0]}: exit 2, says to run \`scryptorum init\`, creates nothing`, async () => {
      const empty = tempDir();
      writeFileSync(join(empty, "x.ts"), "");
      const r = await bin(args, { cwd: empty });
      expect({ code: r.code, stderr: r.stderr }).toEqual({
        code: 2,
        stderr: `error: no scryptorum project found from ${empty}: run \`scryptorum init\` here, or pass --project-root\n`,
      });
      expect(tree(empty)).toEqual([expect.stringMatching(/^x\.ts 0 /)]);
    });
  }
});

describe("a damaged or newer project file: exit 2, one line saying what to do", () => {
  /** A fresh `init`ed project "p" with `files` then written over it. */
  async function damaged(files: Record<string, string>): Promise<string> {
    const d = tempDir();
    expect((await bin(["init", "--project-name", "p"], { cwd: d })).code).toBe(0);
    writeFiles(d, files);
    return d;
  }
  const project = (d: string) => JSON.parse(readFileSync(join(d, "experiments/p/project.json"), "utf8"));
  const newer = (d: string, extra: Record<string, unknown>) => JSON.stringify({ ...project(d), format: 99, ...extra });

  const cases: [string, (d: string) => Record<string, string>, string][] = [
    [
      "project.json of a newer format",
      (d) => ({ "experiments/p/project.json": newer(d, { scryptorum_version: "9.1.0" }) }),
      "<dir>/experiments/p/project.json was written by scryptorum 9.1.0 (format 99; this is scryptorum <version>, format 1): upgrade scryptorum to read it",
    ],
    [
      "project.json that is not JSON",
      () => ({ "experiments/p/project.json": "{not json" }),
      "<dir>/experiments/p/project.json is not valid JSON (<why>): fix it, or delete it and run `scryptorum init` again to recreate it",
    ],
    [
      ".scryptorum that is not JSON",
      () => ({ ".scryptorum": "garbage\n" }),
      "<dir>/.scryptorum is not valid JSON (<why>): fix it, or rewrite it with `scryptorum init --force`",
    ],
    [
      ".scryptorum that is not an object",
      () => ({ ".scryptorum": '"p"' }),
      "<dir>/.scryptorum does not hold a JSON object: fix it, or rewrite it with `scryptorum init --force`",
    ],
    [
      ".scryptorum of a newer format",
      () => ({ ".scryptorum": JSON.stringify({ format: 2, project: "p", experiments_dir: "./experiments" }) }),
      "<dir>/.scryptorum was written by a newer scryptorum (format 2; this is scryptorum <version>, format 1): upgrade scryptorum to read it",
    ],
  ];
  test("run.json of a newer format, read by show", async () => {
    const d = await damaged({ "x.ts": "" });
    expect((await bin(["run", "e", "-s", "x.ts"], { cwd: d })).code).toBe(0);
    const path = join(d, "experiments/p/experiments/e/runs/trial_run/run.json");
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, "utf8")), format: 99, scryptorum_version: "9.1.0" }));
    const r = await bin(["show", "e", "trial_run"], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: ${path} was written by scryptorum 9\\.1\\.0 \\(format 99; this is scryptorum \\S+, format 1\\): upgrade scryptorum to read it\n$`));
  });

  for (const [name, files, message] of cases) {
    test.concurrent(name, async () => {
      const d = await damaged({});
      writeFiles(d, files(d));
      const r = await bin(["list-experiments"], { cwd: d });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      const pattern = message
        .replaceAll("<dir>", d)
        .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
        .replace("<version>", "\\S+")
        .replace("<why>", "[^)]+");
      expect(r.stderr).toMatch(new RegExp(`^error: ${pattern}\n$`));
    });
  }
});
