/**
 * Team bucket (issue 12): push and pull of an experiment of 200 milestones of a 1,000-file
 * project (BENCH_REMOTE_RUNS, BENCH_REMOTE_FILES) against a local Ceph radosgw, each as a
 * ratio to a floor measured in the same run: the same objects PUT (or GET) with the same
 * client at the same concurrency, with no hashing, no conditional header, no state
 * (target: at most 1.5x). Then an unchanged second push: its request count (target: O(1)
 * per experiment, not per run or file).
 */
import { createHash } from "node:crypto";
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Project } from "../../src/core/project";
import { Bucket } from "../../src/remote/bucket";
import { push } from "../../src/remote/push";
import { pull } from "../../src/remote/pull";
import { pool } from "../../src/remote/select";
import { startS3Server, stopS3Server } from "../s3-server";
import { report } from "./harness";

const RUNS = Number(process.env.BENCH_REMOTE_RUNS ?? 200);
const FILES = Number(process.env.BENCH_REMOTE_FILES ?? 1000);

/** A project whose experiment holds RUNS milestones sharing one FILES-file snapshot (hard links, as milestones do). */
function makeProject(dir: string): Project {
  writeFileSync(join(dir, ".scryptorum"), JSON.stringify({ format: 1, project: "bench", experiments_dir: "./experiments" }));
  const project = Project.find(dir);
  const store = join(project.root, "src-files");
  mkdirSync(store, { recursive: true });
  for (let f = 0; f < FILES; f++) writeFileSync(join(store, `f${f}.ts`), `// file ${f}\n${"export const x = 1;\n".repeat(40 + (f % 50))}`);
  const files = Array.from({ length: FILES }, (_, f) => {
    const data = readFileSync(join(store, `f${f}.ts`));
    return { path: `src/f${f}.ts`, size: data.length, sha256: createHash("sha256").update(data).digest("hex") };
  });
  const manifest = JSON.stringify({ format: 1, files, excluded: [], totals: { files: FILES } });
  const expDir = join(project.root, "experiments", "exp");
  mkdirSync(join(expDir, "runs"), { recursive: true });
  writeFileSync(join(expDir, "experiment.json"), JSON.stringify({ name: "exp" }));
  for (let r = 0; r < RUNS; r++) {
    const id = `ms-${String(r).padStart(4, "0")}`;
    const run = join(expDir, "runs", id);
    mkdirSync(join(run, "code_snapshot", "src"), { recursive: true });
    const t = new Date(Date.UTC(2026, 0, 1, 0, 0, r)).toISOString();
    writeFileSync(join(run, "run.json"), JSON.stringify({ format: 1, run_id: id, run_type: "milestone", experiment: "exp", project: "bench", status: "finished", started_at: t, finished_at: t, pid: 1, hostname: "bench", argv: [], config: {}, tags: [], scryptorum_version: "bench" }));
    const events = Array.from({ length: 50 }, (_, i) => JSON.stringify({ timestamp: t, run_id: id, event_type: "rec", i, payload: "y".repeat(200) })).join("\n") + "\n";
    writeFileSync(join(run, "run.jsonl"), events);
    writeFileSync(join(run, "metrics.jsonl"), JSON.stringify({ timestamp: t, name: "acc", value: r / RUNS }) + "\n");
    writeFileSync(join(run, "environment.json"), JSON.stringify({ run: r }));
    for (let f = 0; f < FILES; f++) linkSync(join(store, `f${f}.ts`), join(run, "code_snapshot", "src", `f${f}.ts`));
    writeFileSync(join(run, "snapshot_manifest.json"), manifest);
  }
  return project;
}

export async function benchRemote(): Promise<void> {
  const server = await startS3Server();
  const dir = mkdtempSync(join(tmpdir(), "scry-bench-remote-"));
  const saved = { ...process.env };
  process.env.AWS_ACCESS_KEY_ID = server.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = server.secretAccessKey;
  for (const k of ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"]) delete process.env[k];
  try {
    mkdirSync(join(dir, "a"));
    const t0 = performance.now();
    const project = makeProject(join(dir, "a"));
    console.log(`(${RUNS} milestones x ${FILES} files made in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    const remote = (prefix: string) => ({ name: "bench", url: `s3://${server.bucket}/${prefix}`, endpoint: server.endpoint, bucket: server.bucket, prefix });

    // push
    let t = performance.now();
    const first = await push(project, remote("push"), {});
    const pushMs = performance.now() - t;
    // The floor: the objects push wrote, PUT plainly by the same client, 32 at a time.
    const bucket = new Bucket(remote("push"));
    const objects: string[] = (await bucket.list("")).filter((k) => !k.startsWith(".check"));
    const bodies = new Map<string, Uint8Array>();
    await pool(objects, 32, async (k) => void bodies.set(k, (await bucket.get(k))!));
    const floor = new Bucket(remote("floor"));
    t = performance.now();
    await pool(objects, 32, async (k) => {
      const res = await floor.send("PUT", k, { body: bodies.get(k)! });
      await res.body?.cancel();
    });
    const putFloorMs = performance.now() - t;
    const bytes = [...bodies.values()].reduce((n, b) => n + b.length, 0);
    report({ name: `push: ${RUNS} milestones x ${FILES} files (${objects.length} objects, ${(bytes / 2 ** 20).toFixed(1)} MiB)`, value: pushMs, unit: "ms", baseline: "plain PUTs of the same objects", ratio: pushMs / putFloorMs, target: "<= 1.5x", ok: pushMs / putFloorMs <= 1.5 });
    report({ name: "  floor: plain PUTs, 32 at a time", value: putFloorMs, unit: "ms" });
    report({ name: "  push requests (first push)", value: first.requests, unit: "requests" });

    // unchanged second push
    t = performance.now();
    const second = await push(project, remote("push"), {});
    report({ name: `unchanged second push: requests (${RUNS} runs)`, value: second.requests, unit: "requests", target: "O(1) per experiment", ok: second.requests <= 1 });
    report({ name: "unchanged second push: time", value: performance.now() - t, unit: "ms" });

    // pull into a fresh copy
    mkdirSync(join(dir, "b"));
    writeFileSync(join(dir, "b", ".scryptorum"), JSON.stringify({ format: 1, project: "bench", experiments_dir: "./experiments" }));
    const fresh = Project.find(join(dir, "b"));
    t = performance.now();
    const pulled = await pull(fresh, remote("push"), {});
    const pullMs = performance.now() - t;
    t = performance.now();
    await pool(objects, 32, async (k) => void (await floor.get(k)));
    const getFloorMs = performance.now() - t;
    report({ name: `pull: ${pulled.pulled} runs into a fresh project`, value: pullMs, unit: "ms", baseline: "plain GETs of the same objects", ratio: pullMs / getFloorMs, target: "<= 1.5x", ok: pullMs / getFloorMs <= 1.5 });
    report({ name: "  floor: plain GETs, 32 at a time", value: getFloorMs, unit: "ms" });
    t = performance.now();
    const again = await pull(fresh, remote("push"), {});
    report({ name: "unchanged second pull: requests", value: again.requests, unit: "requests", target: "O(1) per experiment", ok: again.requests <= 1 });
  } finally {
    process.env = saved;
    stopS3Server(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
