/** --help, --version, unknown commands and flags, colour, and `--` on every command. */
import { describe, expect, test } from "bun:test";
import { cli, cmd, tempDir } from "../helpers/cli";
import pkg from "../../package.json" with { type: "json" };

const COMMANDS = ["init", "create-project", "create-experiment", "list-experiments", "list-runs", "run"];

describe("help and version", () => {
  test.concurrent("root --help lists every command, on stdout, exit 0", async () => {
    const r = await cmd(["--help"], { cwd: tempDir() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toStartWith(`scryptorum ${pkg.version}: Local-first tracking for LLM experiments`);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S`, "m"));
    expect(r.stdout).not.toMatch(/ +$/m); // no trailing spaces
  });

  for (const c of COMMANDS) {
    test.concurrent(`${c} --help and -h`, async () => {
      const long = await cmd([c, "--help"], { cwd: tempDir() });
      const short = await cmd([c, "-h"], { cwd: tempDir() });
      expect(long.code).toBe(0);
      expect(long.stdout).toContain(`Usage: scryptorum ${c}`);
      expect(long.stdout).toContain("  --debug ");
      expect(short.stdout).toBe(long.stdout);
    });
    test.concurrent(`${c} --version`, async () => {
      expect(await cmd([c, "--version"], { cwd: tempDir() })).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
    });
  }

  test.concurrent("--version and -v at the root", async () => {
    expect((await cmd(["--version"], { cwd: tempDir() })).stdout).toBe(`${pkg.version}\n`);
    expect((await cmd(["-v"], { cwd: tempDir() })).stdout).toBe(`${pkg.version}\n`);
  });

  test.concurrent("no command: usage on stderr, exit 2", async () => {
    const r = await cmd([], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Usage: scryptorum <command> [options]");
    expect(r.stderr).toEndWith("error: no command given: run `scryptorum <command>`, or `scryptorum --help`\n");
  });

  test.concurrent("colour only when asked, never with NO_COLOR", async () => {
    const forced = await cmd(["--help"], { cwd: tempDir(), env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(forced.stdout).toContain("\x1b[1mUsage:");
    const both = await cmd(["--help"], { cwd: tempDir(), env: { NO_COLOR: "1", FORCE_COLOR: "1" } });
    expect(both.stdout).not.toContain("\x1b[");
    const piped = await cmd(["--help"], { cwd: tempDir(), env: { NO_COLOR: undefined } });
    expect(piped.stdout).not.toContain("\x1b[");
  });
});

describe("refusals: exit 2, one plain line naming the problem", () => {
  const cases: [string[], string][] = [
    [["frobnicate"], 'unknown command "frobnicate": run `scryptorum --help` to see the commands'],
    [["--frobnicate"], "unknown option --frobnicate: run `scryptorum --help` for usage"],
    [["list-experiments", "--jsn"], "unknown option --jsn: run `scryptorum list-experiments --help` for usage"],
    [["list-experiments", "--json=1", "-x"], "unknown option -x: run `scryptorum list-experiments --help` for usage"],
    [["init", "--project-name"], "option --project-name needs a value: run `scryptorum init --help` for usage"],
    [["init", "--project-name", "--force"], "option --project-name needs a value: run `scryptorum init --help` for usage"],
    [["list-runs"], "missing <experiment>: run `scryptorum list-runs --help` for usage"],
    [["list-runs", "a", "b"], 'unexpected argument "b": run `scryptorum list-runs --help` for usage'],
    [["list-experiments", "--", "x"], "`scryptorum list-experiments` takes no arguments after --: only `scryptorum run` passes them on"],
    [["run", "-ms", "x.ts", "e"], "unknown option -ms: run `scryptorum run --help` for usage"],
  ];
  for (const [args, message] of cases) {
    test.concurrent(args.join(" "), async () => {
      expect(await cmd(args, { cwd: tempDir() })).toEqual({ code: 2, stdout: "", stderr: `error: ${message}\n` });
    });
  }

  test.concurrent("--help after -- is not ours", async () => {
    // Reaches the command, which then finds no project: proof that --help was left alone.
    const r = await cli(["run", "demo", "-s", "x.ts", "--", "--help"], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toStartWith("error: no scryptorum project found from ");
  });
});

describe("root help lists the commands without loading them", () => {
  test("each static description matches the command's own meta.description", async () => {
    const { main, descriptions } = await import("../../commands/index");
    const subs = main.subCommands as Record<string, () => Promise<{ meta: { description: string } }>>;
    expect(Object.keys(descriptions).sort()).toEqual(Object.keys(subs).sort());
    for (const [name, load] of Object.entries(subs)) expect({ name, description: (await load()).meta.description }).toEqual({ name, description: descriptions[name]! });
  });
});
