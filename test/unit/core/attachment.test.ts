/** endedReason: when a process attached to a run must stop logging to it. */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { endedReason } from "../../../src/core/attachment";
import { tempDir } from "../../helpers/project";

const joined = { started_at: "2026-01-01T00:00:00.000Z", pid: 10, run_type: "trial", status: "running" };

describe("endedReason", () => {
  test.each([
    ["the same trial, still running", { ...joined }, undefined],
    ["the trial ended", { ...joined, status: "finished" }, "has ended (finished)"],
    ["a new trial in the folder", { ...joined, started_at: "2026-01-01T00:00:05.000Z", pid: 11 }, "was replaced by another run (started 2026-01-01T00:00:05.000Z)"],
    ["another writer pid", { ...joined, pid: 12 }, "was replaced by another run (started 2026-01-01T00:00:00.000Z)"],
    ["run.json damaged (no guess)", "{not json", undefined],
  ])("%s", (_name, onDisk, reason) => {
    const dir = tempDir();
    writeFileSync(join(dir, "run.json"), typeof onDisk === "string" ? onDisk : JSON.stringify(onDisk));
    expect(endedReason(dir, joined)).toBe(reason);
  });

  test("run.json gone: the folder was emptied", () => {
    expect(endedReason(tempDir(), joined)).toBe("is gone (a new trial emptied its folder, or it was deleted)");
  });

  test("a milestone that ended keeps taking records; so does a trial already ended when joined", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "run.json"), JSON.stringify({ ...joined, run_type: "milestone", status: "finished" }));
    expect(endedReason(dir, { ...joined, run_type: "milestone" })).toBeUndefined();
    writeFileSync(join(dir, "run.json"), JSON.stringify({ ...joined, status: "finished" }));
    expect(endedReason(dir, { ...joined, status: "finished" })).toBeUndefined();
  });
});
