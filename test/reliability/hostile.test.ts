/**
 * Hostile input: names, ids, artifact names and config keys that try to escape the
 * project or pollute prototypes; payloads JSON cannot carry as they are.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Experiment, Project } from "../../src/index";
import { UserError } from "../../src/core/errors";
import { tempDir, tempProject } from "../helpers/project";

const HOSTILE = [
  "../",
  "../x",
  "..\\x",
  "..",
  "/etc/passwd",
  "C:\\Windows",
  "%2e%2e%2f",
  "%252e%252e%252f",
  "a\0b",
  "a?b",
  "a#b",
  "file://x",
  "x".repeat(300),
  "__proto__",
  "constructor",
  "a/b",
  "",
];

function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

describe("hostile names", () => {
  test.each(HOSTILE.map((h) => [JSON.stringify(h).slice(0, 40), h]))("experiment name %s is refused naming the field", (_label, name) => {
    const { root, dir } = tempProject();
    const before = listTree(dir);
    expect(() => new Experiment(root, name)).toThrow(/experiment name/);
    expect(listTree(dir)).toEqual(before);
  });

  test.each(HOSTILE.map((h) => [JSON.stringify(h).slice(0, 40), h]))("run id %s is refused naming the field", (_label, id) => {
    const { root, dir } = tempProject();
    const exp = new Experiment(root, "e");
    const before = listTree(dir);
    let error: unknown;
    try {
      exp.createRun("milestone", id);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect(String((error as Error).message)).toMatch(/^run id/);
    expect(listTree(dir)).toEqual(before);
    expect(() => exp.openRun(id)).toThrow(/run id/);
  });

  test.each(HOSTILE.filter((h) => h !== "").map((h) => [JSON.stringify(h).slice(0, 40), h]))("project name %s is refused", (_label, name) => {
    const dir = tempDir();
    expect(() => Project.init(dir, { name })).toThrow(/project name/);
    expect(readdirSync(dir)).toEqual([]);
  });

  // "a/b" is a contained sub-folder of artifacts/, so it is allowed for artifacts (below).
  test.each(HOSTILE.filter((h) => h !== "a/b").map((h) => [JSON.stringify(h).slice(0, 40), h]))("artifact name %s is refused", (_label, name) => {
    const { root, dir } = tempProject();
    const run = new Experiment(root, "art").createRun("milestone", "a");
    expect(() => run.saveArtifact(name, "x")).toThrow(/artifact name/);
    if (name !== "") expect(() => run.preserveArtifacts({ [name]: 1 })).toThrow(/artifact name/);
    run.finish();
    expect(readdirSync(join(run.dir, "artifacts"))).toEqual([]);
    expect(listTree(dir).filter((p) => !p.includes("experiments"))).toEqual([".scryptorum"]);
  });

  test("an artifact name with sub-folders stays inside artifacts/", () => {
    const { root } = tempProject();
    const run = new Experiment(root, "art").createRun("milestone", "a");
    const path = run.saveArtifact("plots/a.txt", "x");
    expect(path).toBe(join(run.artifactsDir, "plots", "a.txt"));
    run.finish();
  });

  test("config keys __proto__ and constructor are kept as data; Object.prototype untouched", () => {
    const { root } = tempProject();
    const config = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted2": 1}}, "model": "m"}');
    const run = new Experiment(root, "cfg").createRun("trial", undefined, { config });
    run.logEvent("evt", JSON.parse('{"__proto__": {"polluted3": 1}, "ok": 1}'));
    run.logMetric("m", 1, "custom", JSON.parse('{"__proto__": {"polluted4": 1}}'));
    run.logLlmCall(JSON.parse('{"model": "m", "__proto__": {"polluted5": 1}}'));
    run.finish();
    const probe = {} as Record<string, unknown>;
    for (const k of ["polluted", "polluted2", "polluted3", "polluted4", "polluted5"]) expect(probe[k]).toBeUndefined();
    const meta = JSON.parse(readFileSync(join(run.dir, "run.json"), "utf8"));
    expect(Object.hasOwn(meta.config, "__proto__")).toBe(true);
    expect(meta.config.model).toBe("m");
    const events = readFileSync(run.logFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(events.find((e) => e.event_type === "evt")!.ok).toBe(1);
  });
});

describe("hostile payloads", () => {
  const cyc: Record<string, unknown> = { name: "cycle" };
  cyc.self = cyc;
  const cases: [string, unknown][] = [
    ["newlines", { text: "line1\nline2\r\nline3" }],
    ["U+2028 and U+2029", { text: "a\u2028b\u2029c" }],
    ["NUL", { text: "a\0b" }],
    ["lone surrogates", { text: "a\ud800b\udfffc" }],
    ["NaN and Infinity", { v: NaN, w: -Infinity }],
    ["BigInt", { big: 12345678901234567890n }],
    ["cycles", { obj: cyc }],
    ["functions and symbols", { f: () => 1, s: Symbol("x"), keep: 1 }],
    ["a 50 MB string", { text: "z".repeat(50 * 1024 * 1024) }],
  ];
  test.each(cases)("%s makes exactly one valid line", (_name, payload) => {
    const { root } = tempProject();
    const run = new Experiment(root, "payload").createRun();
    run.logEvent("payload", payload as Record<string, unknown>);
    run.finish();
    const lines = readFileSync(run.logFile, "utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(3); // run_started, payload, run_finished
    const record = JSON.parse(lines[1]!);
    expect(record.event_type).toBe("payload");
  });
});
