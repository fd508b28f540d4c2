import { describe, expect, test } from "bun:test";
import { CheckFailed, ExperimentFailed, ExportFailed, Interrupted, RemoteFailed, ResumeRefused, UpgradeError, UserError, exitCodeFor, signalForExitCode } from "../../../src/core/errors";

describe("exit codes for signals", () => {
  test("SIGINT is 130, SIGTERM 143, and back", () => {
    expect(exitCodeFor("SIGINT")).toBe(130);
    expect(exitCodeFor("SIGTERM")).toBe(143);
    expect(signalForExitCode(130)).toBe("SIGINT");
    expect(signalForExitCode(143)).toBe("SIGTERM");
    expect(signalForExitCode(1)).toBeUndefined();
  });

  test("Interrupted carries the exit code of its signal", () => {
    const e = new Interrupted("stopped", "SIGTERM", { quiet: true });
    expect([e.name, e.exitCode, e.signal, e.quiet]).toEqual(["Interrupted", 143, "SIGTERM", true]);
  });
});

describe("the error classes the CLI entry turns into exit codes", () => {
  test.each([
    ["UserError", 2, new UserError("bad")],
    ["UserError", 2, new ResumeRefused("ms-1", ['dataset "qa" changed'])],
    ["ExperimentFailed", 1, new ExperimentFailed("failed", "/r/run.json", { cause: new Error("x") })],
    ["RemoteFailed", 1, new RemoteFailed("refused")],
    ["ExportFailed", 1, new ExportFailed("refused")],
    ["UpgradeError", 1, new UpgradeError("no release")],
    ["CheckFailed", 1, new CheckFailed({ run_id: "ms-1", failed: 1, results: [{}, {}] })],
  ] as const)("%s: exit %d", (name, code, error) => {
    expect([error.name, error.exitCode]).toEqual([name, code]);
  });

  test("CheckFailed says how many rules failed for which run", () => {
    expect(new CheckFailed({ run_id: "ms-1", failed: 1, results: [{}] }).message).toBe("1 of 1 rule failed for run ms-1");
  });
});
