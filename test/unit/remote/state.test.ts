import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Commit } from "../../../src/remote/layout";
import { compactCommit, loadState, manifestTreeId, ownCommit, sameSignature, saveState, scanRun, snapshotHashes, writeTreeListing } from "../../../src/remote/state";
import { treePath } from "../../../src/remote/trees";
import { tempDir } from "../../helpers/project";

const scan = { "run.json": "10:1", "snapshot_manifest.json": "900:2", "code_snapshot/a.ts": "5:snapshot", "code_snapshot/b.ts": "7:snapshot" };
const kept = { "run.json": "10:1", "snapshot_manifest.json": "900:2" }; // as a state stores it

test.each([
  ["a scan and its stored form", scan, kept, true],
  ["an old state that kept the snapshot entries", scan, scan, true],
  ["a file changed", { ...scan, "run.json": "11:3" }, kept, false],
  ["the manifest changed", { ...scan, "snapshot_manifest.json": "901:4" }, kept, false],
  ["a file added", { ...scan, "artifacts/x": "1:5" }, kept, false],
  ["a file removed", { "snapshot_manifest.json": "900:2" }, kept, false],
  ["a snapshot file no longer listed by a manifest (walked instead)", { ...kept, "code_snapshot/a.ts": "5:9" }, kept, false],
] as const)("sameSignature: %s -> %p", (_, a, b, same) => {
  expect(sameSignature(a, b)).toBe(same);
  expect(sameSignature(b, a)).toBe(same);
});

describe("a pulled commit kept compact in the state", () => {
  const f = (sha: string, size = 1) => ({ sha256: sha, size });
  const snap = { "code_snapshot/a.ts": f("a"), "code_snapshot/b.ts": f("b") };
  const commit = (files: Commit["files"]): Commit => ({ format: 1, writer: "w", host: "h", n: 1, pushed_at: "t", run: { run_id: "r" }, files, logs: {} });
  const merged = { ...snap, "environment.json": f("e") };

  test.each([
    ["exactly the tree's files: left out, the tree named", { ...snap, "environment.json": f("e") }, { "environment.json": f("e") }],
    ["one snapshot file of another content: kept whole", { ...snap, "code_snapshot/b.ts": f("x") }, undefined],
    ["fewer snapshot files than the tree: kept whole", { "code_snapshot/a.ts": f("a") }, undefined],
  ] as const)("%s", (_, files, compact) => {
    const c = commit(files);
    const out = compactCommit(c, merged, 2, "t1");
    if (compact) expect(out).toEqual({ ...c, files: compact, snapshot_tree: "t1" });
    else expect(out).toBe(c);
  });

  test("saveState writes it a few hundred bytes long; loadState puts the files back from the tree's listing, and leaves it compact when the listing is gone", async () => {
    const root = tempDir("scry-state-");
    const tree = treePath(`${root}/.store`, "ab".padEnd(64, "0"));
    writeTreeListing(tree, Object.entries(snap));
    const whole = commit({ ...snap, "environment.json": f("e") });
    const stored = compactCommit(whole, merged, 2, "ab".padEnd(64, "0"));
    await saveState(root, "team", "exp", "run", { sig: {}, marks: {}, hashes: {}, pulled: { writers: { w: 1 }, order: {}, commits: [stored] } });
    const file = join(root, ".remote", "team", "exp", "run.json");
    expect(readFileSync(file, "utf8").length).toBeLessThan(400);
    expect(loadState(root, "team", "exp", "run")!.pulled!.commits).toEqual([whole]);
    rmSync(`${tree}.json`);
    await saveState(root, "team", "exp", "run2", { sig: {}, marks: {}, hashes: {}, pulled: { writers: { w: 1 }, order: {}, commits: [compactCommit(whole, merged, 2, "cd".padEnd(64, "0"))] } });
    expect(loadState(root, "team", "exp", "run2")!.pulled!.commits[0]).toMatchObject({ snapshot_tree: "cd".padEnd(64, "0"), files: { "environment.json": f("e") } });
    rmSync(root, { recursive: true, force: true });
  });
});

describe("our own commit kept without its snapshot files in the state", () => {
  const entries = [{ path: "a.ts", size: 5, sha256: "aa" }, { path: "b.ts", size: 7, sha256: "bb" }];
  const manifestText = (extra = {}) => JSON.stringify({ format: 1, files: entries, ...extra });
  const own = { format: 1, writer: "w", host: "h", n: 3, pushed_at: "t", run: { run_id: "r" }, files: { "snapshot_manifest.json": { sha256: "m", size: 9 } }, logs: {} };

  test("ownCommit puts them back from the run folder's snapshot_manifest.json while it lists those files", () => {
    const dir = tempDir("scry-own-");
    writeFileSync(join(dir, "snapshot_manifest.json"), manifestText());
    const state = { sig: {}, marks: {}, hashes: {}, commit: { ...own, snapshot_files: manifestTreeId(snapshotHashes(dir)) } };
    const whole = { ...own, files: { "code_snapshot/a.ts": { sha256: "aa", size: 5 }, "code_snapshot/b.ts": { sha256: "bb", size: 7 }, "snapshot_manifest.json": { sha256: "m", size: 9 } } };
    expect(ownCommit(state, dir)).toEqual(whole);
    expect(state.commit.snapshot_files).toHaveLength(64); // the state itself stays compact
    // a dataset added to the manifest (a milestone's evaluate) changes nothing
    writeFileSync(join(dir, "snapshot_manifest.json"), manifestText({ datasets: [{ path: "data/qa.jsonl", size: 3, sha256: "dd" }] }));
    expect(ownCommit(state, dir)).toEqual(whole);
    // other files listed (another run in the folder), or no manifest: it cannot be rebuilt
    writeFileSync(join(dir, "snapshot_manifest.json"), manifestText().replace('"aa"', '"cc"'));
    expect(ownCommit(state, dir)).toBeUndefined();
    rmSync(join(dir, "snapshot_manifest.json"));
    expect(ownCommit(state, dir)).toBeUndefined();
    rmSync(dir, { recursive: true, force: true });
  });
});

test("scanRun leaves out the library's own locks and temp files of a live run (a push never sends them)", () => {
  const dir = tempDir("scry-scan-");
  mkdirSync(join(dir, "data"));
  mkdirSync(join(dir, "artifacts"));
  for (const f of ["run.json", "run.jsonl", "data/qa.jsonl", "artifacts/uv.lock", "artifacts/x.tmp"]) writeFileSync(join(dir, f), "x");
  for (const f of ["run.json.lock", "run.json.lock.break", "run.json.tmp-123-abc", "snapshot_manifest.json.lock", "snapshot_manifest.json.4242.a1b2c3.tmp", "data/.qa.jsonl.0badf00d.tmp"]) writeFileSync(join(dir, f), "x");
  expect(Object.keys(scanRun(dir)).sort()).toEqual(["artifacts/uv.lock", "artifacts/x.tmp", "data/qa.jsonl", "run.json", "run.jsonl"]);
  rmSync(dir, { recursive: true, force: true });
});
