import { expect, test } from "bun:test";
import type { Commit } from "../../../src/remote/layout";
import { commitText, snapshotPart } from "../../../src/remote/push";
import { parseSnapshotManifest } from "../../../src/remote/state";

const f = (sha: string, size = 1) => ({ sha256: sha, size });

test.each([
  ["files on both sides of the snapshot", { "artifacts/plot.png": f("p", 9), "environment.json": f("e"), "snapshot_manifest.json": f("m", 300) }, {}],
  ["only files after it", { "snapshot_manifest.json": f("m", 300) }, { attached: true, generation: 3 }],
  ["a run.json holding a `files: {}` key of its own", { "a.txt": f("a") }, { run: { run_id: "r", files: {}, x: ',"files":{}' } }],
] as const)("a commit's JSON with its snapshot files spliced in from the manifest is the whole commit's JSON, byte for byte: %s", (_, others, extra) => {
  const manifest = parseSnapshotManifest(JSON.stringify({ files: [{ path: "src/b.ts", size: 7, sha256: "bb" }, { path: "src/a.ts", size: 5, sha256: "aa" }, { path: "z/c.ts", size: 5, sha256: "aa" }] }));
  const base: Commit = { format: 1, writer: "w", host: "h", n: 2, pushed_at: "t", run: { run_id: "r" }, files: others as Commit["files"], logs: { "run.jsonl": { segments: [{ sha256: "s", size: 3, lines: 1 }], local_bytes: 3 } }, ...extra };
  const whole = { ...base, files: Object.fromEntries(Object.entries({ ...others, ...Object.fromEntries([...manifest].map(([rel, { sha256, size }]) => [rel, { sha256, size }])) }).sort(([a], [b]) => (a < b ? -1 : 1))) };
  expect(new TextDecoder().decode(commitText(base, snapshotPart(manifest)) as Uint8Array)).toBe(JSON.stringify(whole));
  // one upload per distinct blob, whichever file holds it
  expect(snapshotPart(manifest).blobs).toEqual([["aa", "code_snapshot/src/a.ts"], ["bb", "code_snapshot/src/b.ts"]]);
});
