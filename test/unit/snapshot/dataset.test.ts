import { expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { keepDataset } from "../../../src/snapshot/dataset";
import { tempDir } from "../../helpers/cli";

/** A project with one milestone folder holding a bare snapshot manifest. */
function milestone() {
  const root = tempDir("scry-keepds-");
  const runDir = join(root, "experiments", "qa", "runs", "v1");
  mkdirSync(runDir, { recursive: true });
  mkdirSync(join(root, "experiments", "qa", "data"), { recursive: true });
  writeFileSync(join(runDir, "snapshot_manifest.json"), JSON.stringify({ format: 1, source_root: root, files: [], excluded: [] }));
  const manifest = () => JSON.parse(readFileSync(join(runDir, "snapshot_manifest.json"), "utf8"));
  return { root, runDir, manifest };
}

test("keepDataset copies a project file once; other content under the same name gets a hash suffix", () => {
  const { root, runDir, manifest } = milestone();
  const file = join(root, "experiments", "qa", "data", "qa.jsonl");
  writeFileSync(file, '{"input":"a"}\n');
  const first = keepDataset(runDir, file)!;
  expect(first.path).toBe("data/qa.jsonl");
  expect(keepDataset(runDir, file)).toEqual(first); // loaded twice: one entry
  writeFileSync(file, '{"input":"b"}\n');
  const second = keepDataset(runDir, file)!;
  expect(second.path).toBe(`data/qa-${second.sha256.slice(0, 12)}.jsonl`);
  expect(readFileSync(join(runDir, "data", "qa.jsonl"), "utf8")).toBe('{"input":"a"}\n');
  expect(readFileSync(join(runDir, second.path), "utf8")).toBe('{"input":"b"}\n');
  expect(manifest().datasets.map((d: { path: string }) => d.path)).toEqual(["data/qa.jsonl", second.path]);
});

test("keepDataset leaves a file outside the project out and says so in the manifest", () => {
  const { runDir, manifest } = milestone();
  const outside = join(tempDir("scry-outside-"), "big.jsonl");
  writeFileSync(outside, '{"input":"x"}\n');
  expect(keepDataset(runDir, outside)).toBeUndefined();
  expect(manifest().excluded).toEqual([{ path: "data/big.jsonl", reason: "dataset outside the project" }]);
  expect(manifest().datasets).toBeUndefined();
});

test("two processes of one milestone keeping datasets at once: every entry is kept (the manifest is updated under a lock)", async () => {
  const { root, runDir, manifest } = milestone();
  const data = join(root, "experiments", "qa", "data");
  const module = join(import.meta.dir, "../../../src/snapshot/dataset.ts");
  const worker = (who: string) => {
    for (let i = 0; i < 25; i++) writeFileSync(join(data, `${who}${i}.jsonl`), `{"input":"${who}${i}"}\n`);
    const code = `const { keepDataset } = await import(${JSON.stringify(module)}); for (let i = 0; i < 25; i++) keepDataset(${JSON.stringify(runDir)}, ${JSON.stringify(data)} + "/${who}" + i + ".jsonl");`;
    return Bun.spawn([process.execPath, "-e", code], { stderr: "pipe" });
  };
  const procs = [worker("a"), worker("b"), worker("c")];
  for (const p of procs) expect(await p.exited).toBe(0);
  const paths = manifest().datasets.map((d: { path: string }) => d.path).sort();
  expect(paths).toHaveLength(75);
  expect(new Set(paths).size).toBe(75);
});
