/**
 * Team bucket (issue 12): push and pull of an experiment of 200 milestones of a 1,000-file
 * project (BENCH_REMOTE_RUNS, BENCH_REMOTE_FILES) against a local Ceph radosgw, each as a
 * ratio to a floor measured in the same run: the same objects PUT (or GET) with the same
 * client at the same concurrency, with no hashing, no conditional header, no state
 * (target: at most 1.5x). Pushes (each to a fresh prefix, then its floor) and pulls (each
 * after its own floors) are the median of BENCH_REMOTE_ROUNDS (3) rounds; a second pull
 * floor also writes each object to its own file. Then the
 * unchanged second push and pull: their request counts (target: O(1) per experiment, not
 * per run or file). Last, for scale, the same pull where every milestone has a different
 * tree (none shared: a link per file per run). Each series starts with a warm-up round
 * (the process's first push or pull and the fresh server's first writes), printed with the
 * rounds but left out of the medians.
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
import type { Remote } from "../../src/remote/config";
import { startS3Server, stopS3Server } from "../s3-server";
import { loadText, report } from "./harness";

const RUNS = Number(process.env.BENCH_REMOTE_RUNS ?? 200);
const FILES = Number(process.env.BENCH_REMOTE_FILES ?? 1000);

/**
 * A project whose experiment holds RUNS milestones of a FILES-file snapshot (hard links, as
 * milestones do): one tree shared by all, or with `distinct` a different tree per milestone
 * (its own version of one file), the case where no two pulled snapshots can share a tree.
 */
export function makeProject(dir: string, distinct = false): Project {
  writeFileSync(join(dir, ".scryptorum"), JSON.stringify({ format: 1, project: "bench", experiments_dir: "./experiments" }));
  const project = Project.find(dir);
  const store = join(project.root, "src-files");
  mkdirSync(store, { recursive: true });
  for (let f = 0; f < FILES; f++) writeFileSync(join(store, `f${f}.ts`), `// file ${f}\n${"export const x = 1;\n".repeat(40 + (f % 50))}`);
  const files = Array.from({ length: FILES }, (_, f) => {
    const data = readFileSync(join(store, `f${f}.ts`));
    return { path: `src/f${f}.ts`, size: data.length, sha256: createHash("sha256").update(data).digest("hex") };
  });
  const manifestOf = (list: typeof files) => JSON.stringify({ format: 1, files: list, excluded: [], totals: { files: FILES } });
  const shared = manifestOf(files);
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
    const own = r % FILES;
    for (let f = 0; f < FILES; f++) if (!distinct || f !== own) linkSync(join(store, `f${f}.ts`), join(run, "code_snapshot", "src", `f${f}.ts`));
    if (!distinct) writeFileSync(join(run, "snapshot_manifest.json"), shared);
    else {
      const data = `// file ${own}, milestone ${r}\n${"export const x = 2;\n".repeat(40 + (own % 50))}`;
      writeFileSync(join(run, "code_snapshot", "src", `f${own}.ts`), data, { mode: 0o444 });
      const list = files.map((f, i) => (i === own ? { ...f, size: Buffer.byteLength(data), sha256: createHash("sha256").update(data).digest("hex") } : f));
      writeFileSync(join(run, "snapshot_manifest.json"), manifestOf(list));
    }
  }
  return project;
}

const ROUNDS = Number(process.env.BENCH_REMOTE_ROUNDS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** Each round's ratio; round 0 (the process's and the server's first: JIT, caches) is a warm-up, left out of the medians. */
const rounds = (xs: number[], floors: number[]) => xs.map((x, i) => (x / floors[i]!).toFixed(2) + (i ? "" : " (warm-up)")).join(", ");

/**
 * ROUNDS pulls into fresh project copies, each after its floors: the same objects GET by
 * the same client 32 at a time, and the same again writing each one to its own file.
 */
async function pullRounds(dir: string, name: string, from: Remote, bucket: Bucket, objects: string[]) {
  const out = { pull: [] as number[], floor: [] as number[], write: [] as number[], project: undefined as unknown as Project };
  for (let i = 0; i <= ROUNDS; i++) {
    let t = performance.now();
    await pool(objects, 32, async (k) => void (await bucket.get(k)));
    out.floor.push(performance.now() - t);
    const files = join(dir, `${name}-objects-${i}`);
    mkdirSync(files);
    t = performance.now();
    await pool(objects, 32, async (k) => writeFileSync(join(files, k.replaceAll("/", "_")), (await bucket.get(k))!));
    out.write.push(performance.now() - t);
    rmSync(files, { recursive: true, force: true });
    const copy = join(dir, `${name}-pull-${i}`);
    mkdirSync(copy);
    writeFileSync(join(copy, ".scryptorum"), JSON.stringify({ format: 1, project: "bench", experiments_dir: "./experiments" }));
    out.project = Project.find(copy);
    t = performance.now();
    const pulled = await pull(out.project, from, {});
    out.pull.push(performance.now() - t);
    if (pulled.pulled !== RUNS) throw new Error(`bench: pulled ${pulled.pulled} runs of ${RUNS}`);
    if (i < ROUNDS) rmSync(copy, { recursive: true, force: true });
  }
  return out;
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

    // push: ROUNDS pushes of the same runs to fresh prefixes (a fresh state each), each
    // followed by its floor: the objects push wrote, PUT plainly by the same client, 32 at a time.
    const pushes: number[] = [];
    const putFloors: number[] = [];
    let first: Awaited<ReturnType<typeof push>> | undefined;
    let objects: string[] = [];
    const bodies = new Map<string, Uint8Array>();
    let floor: Bucket | undefined;
    for (let i = 0; i <= ROUNDS; i++) {
      let t = performance.now();
      const r = await push(project, remote(i ? `push-${i}` : "push"), {});
      pushes.push(performance.now() - t);
      if (!first) {
        first = r;
        const bucket = new Bucket(remote("push"));
        objects = (await bucket.list("")).filter((k) => !k.startsWith(".check"));
        await pool(objects, 32, async (k) => void bodies.set(k, (await bucket.get(k))!));
      }
      const b = new Bucket(remote(i ? `floor-${i}` : "floor"));
      floor ??= b;
      t = performance.now();
      await pool(objects, 32, async (k) => {
        const res = await b.send("PUT", k, { body: bodies.get(k)! });
        await res.body?.cancel();
      });
      putFloors.push(performance.now() - t);
    }
    const [pushMs, putFloorMs] = [median(pushes.slice(1)), median(putFloors.slice(1))];
    const bytes = [...bodies.values()].reduce((n, b) => n + b.length, 0);
    report({ name: `push: ${RUNS} milestones x ${FILES} files (${objects.length} objects, ${(bytes / 2 ** 20).toFixed(1)} MiB, median of ${ROUNDS})`, value: pushMs, unit: "ms", baseline: "plain PUTs of the same objects", ratio: pushMs / putFloorMs, target: "<= 1.5x", ok: pushMs / putFloorMs <= 1.5 });
    report({ name: "  floor: plain PUTs, 32 at a time", value: putFloorMs, unit: "ms" });
    report({ name: "  push requests (first push)", value: first!.requests, unit: "requests" });
    console.log(`  each round, push / PUT floor: ${rounds(pushes, putFloors)} (load ${loadText()})`);

    // unchanged second push
    let t = performance.now();
    const second = await push(project, remote("push"), {});
    report({ name: `unchanged second push: requests (${RUNS} runs)`, value: second.requests, unit: "requests", target: "O(1) per experiment", ok: second.requests <= 1 });
    report({ name: "unchanged second push: time", value: performance.now() - t, unit: "ms" });

    // pull into fresh copies, interleaved with its floors so load drifts hit both alike
    const pulls = await pullRounds(dir, "one", remote("push"), floor!, objects);
    const [pullMs, getFloorMs, writeFloorMs] = [median(pulls.pull.slice(1)), median(pulls.floor.slice(1)), median(pulls.write.slice(1))];
    report({ name: `pull: ${RUNS} runs into a fresh project (median of ${ROUNDS})`, value: pullMs, unit: "ms", baseline: "plain GETs of the same objects", ratio: pullMs / getFloorMs, target: "<= 1.5x", ok: pullMs / getFloorMs <= 1.5 });
    report({ name: "  floor: plain GETs, 32 at a time", value: getFloorMs, unit: "ms" });
    report({ name: "  floor + each object written to its own file", value: writeFloorMs, unit: "ms", baseline: "that floor", ratio: pullMs / writeFloorMs });
    console.log(`  each round, pull / GET floor: ${rounds(pulls.pull, pulls.floor)} (load ${loadText()})`);
    const again = await pull(pulls.project, remote("push"), {});
    report({ name: "unchanged second pull: requests", value: again.requests, unit: "requests", target: "O(1) per experiment", ok: again.requests <= 1 });
    // What the layout before shared trees cost on top: a hard link per file per run.
    const tl = performance.now();
    const links = join(dir, "links");
    for (let r = 0; r < RUNS; r++) {
      const d = join(links, String(r));
      mkdirSync(d, { recursive: true });
      for (let f = 0; f < FILES; f++) linkSync(join(project.root, "src-files", `f${f}.ts`), join(d, `f${f}.ts`));
    }
    report({ name: `  for scale: ${RUNS * FILES} hard links, one per file per run (pulls made them before shared trees)`, value: performance.now() - tl, unit: "ms" });
    rmSync(links, { recursive: true, force: true });

    // every milestone a different tree: no tree shared, 1,000 links per run
    mkdirSync(join(dir, "d"));
    const other = makeProject(join(dir, "d"), true);
    await push(other, remote("distinct"), {});
    const distinctObjects: string[] = await new Bucket(remote("distinct")).list("");
    const dpulls = await pullRounds(dir, "distinct", remote("distinct"), new Bucket(remote("distinct")), distinctObjects);
    const [dPull, dFloor] = [median(dpulls.pull.slice(1)), median(dpulls.floor.slice(1))];
    // No target: each of the RUNS trees is its own FILES directory entries to make (see the
    // hard links line above for what those alone cost); the case shares one tree.
    report({ name: `pull, every milestone a different tree (${RUNS} trees, median of ${ROUNDS}; no target)`, value: dPull, unit: "ms", baseline: "plain GETs of the same objects", ratio: dPull / dFloor });
    report({ name: "  floor: plain GETs, 32 at a time", value: dFloor, unit: "ms" });
  } finally {
    process.env = saved;
    stopS3Server(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
