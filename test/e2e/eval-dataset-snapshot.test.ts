/**
 * A milestone eval run keeps the dataset file it loaded (data/<file>, through the content
 * store: milestones share one stored copy); a trial keeps none. Through the compiled binary.
 */
import { beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, tempDir } from "../helpers/cli";

beforeAll(async () => {
  await ensureBinary();
});

test("a milestone eval run holds its dataset file byte for byte, two milestones share one stored copy, a trial holds none", async () => {
  const dir = tempDir("scry-dsnap-");
  expect((await bin(["init", "--project-name", "shop"], { cwd: dir })).code).toBe(0);
  expect((await bin(["create-experiment", "ev", "--template", "eval"], { cwd: dir })).code).toBe(0);
  const exp = join(dir, "experiments", "shop", "experiments", "ev");
  const source = join(exp, "data", "ev.jsonl");

  for (const id of ["v1", "v2"]) {
    const ms = await bin(["run", "ev", "-m", "evals/ev.ts", "--milestone", "--run-id", id, "--json"], { cwd: dir });
    if (ms.code !== 0) console.error(ms.stderr);
    expect(ms.code).toBe(0);
  }
  const kept = (id: string) => join(exp, "runs", id, "data", "ev.jsonl");
  expect(readFileSync(kept("v1")).equals(readFileSync(source))).toBe(true);
  expect(readFileSync(kept("v2")).equals(readFileSync(source))).toBe(true);
  expect(statSync(kept("v1")).ino).toBe(statSync(kept("v2")).ino);
  expect(statSync(kept("v1")).mode & 0o222).toBe(0); // read-only, like code_snapshot files

  const manifest = JSON.parse(readFileSync(join(exp, "runs", "v1", "snapshot_manifest.json"), "utf8"));
  const started = readFileSync(join(exp, "runs", "v1", "run.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.event_type === "eval_started");
  expect(manifest.datasets).toEqual([{ path: "data/ev.jsonl", size: statSync(source).size, sha256: started.dataset_hash, source: expect.stringMatching(/data\/ev\.jsonl$/) }]);

  const trial = await bin(["run", "ev", "-m", "evals/ev.ts", "--json"], { cwd: dir });
  expect(trial.code).toBe(0);
  expect(existsSync(join(JSON.parse(trial.stdout).dir, "data"))).toBe(false);
}, 120_000);
