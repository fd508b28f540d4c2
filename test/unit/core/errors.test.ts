import { describe, expect, test } from "bun:test";
import { Interrupted, exitCodeFor, signalForExitCode } from "../../../src/core/errors";

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
