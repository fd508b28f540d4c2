/**
 * `scryptorum push` / `pull` through the binary against the suite's Ceph radosgw: project
 * copies in temp folders stand for machines (SCRYPTORUM_HOSTNAME names each one).
 */
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, tempDir, testEnv } from "../helpers/cli";
import { s3Env, useS3Server } from "../helpers/s3";
import type { S3Server } from "../../scripts/s3-server";
import { Bucket } from "../../src/remote/bucket";
import { parseS3Url } from "../../src/remote/config";

let server: S3Server;
useS3Server({ binary: true }, (s) => (server = s));

const SCRIPT = `
import { getCurrentRun, evaluate } from "scryptorum";
const run = getCurrentRun();
const who = process.env.WHO ?? "x";
const n = Number(process.env.N ?? 3);
for (let i = 0; i < n; i++) {
  const big = i % 50 === 49; // 2% of the records are 200 KiB
  run.logEvent("rec", { who, i, payload: big ? "z".repeat(200 * 1024) : "small" });
  run.logMetric("acc", 0.5 + (i % 5) / 10);
}
if (process.env.EVAL) {
  await evaluate({
    data: [{ id: "a", input: 1, expected: 2 }, { id: "b", input: 2, expected: 3 }, { id: "c", input: 3, expected: 5 }],
    task: (x: number) => x + (process.env.EVAL === "better" ? 1 : 2) - (x === 3 && process.env.EVAL === "better" ? -1 : 0),
    scores: { exact: ({ output, expected }) => output === expected },
  });
}
`;

type Machine = Awaited<ReturnType<typeof setUp>>;
const templates = new Map<string, Promise<string>>();

/** A project folder with `init` and remote "team" at a prefix of the test bucket, made once per prefix. */
function template(prefix: string): Promise<string> {
  let t = templates.get(prefix);
  if (!t) {
    t = (async () => {
      const dir = tempDir("scryptorum-push-template-");
      const env = s3Env(server);
      expect((await bin(["init"], { cwd: dir, env })).code).toBe(0);
      writeFileSync(join(dir, "w.ts"), SCRIPT);
      expect((await bin(["remote", "add", "team", `s3://${server.bucket}/${prefix}`, "--endpoint", server.endpoint], { cwd: dir, env })).code).toBe(0);
      return dir;
    })();
    templates.set(prefix, t);
  }
  return t;
}

/** A project copy ("machine") named `host`: a copy of the prefix's template (no writer id yet). */
async function setUp(prefix: string, host: string) {
  const dir = tempDir(`scryptorum-push-${host}-`);
  cpSync(await template(prefix), dir, { recursive: true });
  const env = s3Env(server, { SCRYPTORUM_HOSTNAME: host });
  const run = (args: string[], extra: Record<string, string | undefined> = {}, timeoutMs?: number) => bin(args, { cwd: dir, env: { ...env, ...extra }, timeoutMs });
  const root = join(dir, "experiments", JSON.parse(readFileSync(join(dir, ".scryptorum"), "utf8")).project);
  return { dir, root, run, host, runDir: (exp: string, id: string) => join(root, "experiments", exp, "runs", id) };
}
const machine = setUp;

async function milestone(m: Machine, exp: string, id: string, extra: Record<string, string> = {}) {
  const r = await m.run(["run", exp, "-s", "w.ts", "--milestone", "--run-id", id], { WHO: m.host, ...extra }, 60_000);
  expect(r.stderr).not.toContain("error:");
  expect(r.code).toBe(0);
}

const prefix = () => `p-${crypto.randomUUID().slice(0, 8)}`;

/** A client of the test bucket at `prefix` (credentials passed only for its construction). */
function bucket(pfx: string): Bucket {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = server.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = server.secretAccessKey;
  try {
    const url = `s3://${server.bucket}/${pfx}`;
    return new Bucket({ name: "test", url, endpoint: server.endpoint, ...parseS3Url(url) });
  } finally {
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    else process.env.AWS_ACCESS_KEY_ID = saved.id;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
  }
}

const json = (r: { stdout: string }) => JSON.parse(r.stdout);
const withoutOrigin = (x: any): any => {
  const { origin, ...rest } = x;
  return rest;
};
const lines = (path: string) => readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));

describe("push and pull", () => {
  test("two machines push, a third pulls: list-runs, show and compare --cases match; re-push sends nothing; new lines go as one segment; no secret in the bucket", async () => {
    const pfx = prefix();
    const a = await machine(pfx, "host-a");
    const b = await machine(pfx, "host-b");
    const c = await machine(pfx, "host-c");
    await milestone(a, "demo", "ms-a", { EVAL: "worse" });
    await milestone(b, "demo", "ms-b", { EVAL: "better" });
    expect((await a.run(["run", "demo", "-s", "w.ts"])).code).toBe(0); // a trial: stays local

    const pa = await a.run(["push", "--json"]);
    expect(pa.stderr).toBe("");
    expect(pa.code).toBe(0);
    expect(json(pa)).toMatchObject({ remote: "team", pushed: 1, unchanged: 0 });
    expect(json(pa).runs.map((r: any) => r.run_id)).toEqual(["ms-a"]);
    const pb = await b.run(["push", "demo"]);
    expect(pb.code).toBe(0);
    expect(pb.stderr).toMatch(/^pushed 1 run to team \(0 unchanged\): .* in \d+ requests, [\d.]+ s\n$/);

    // Unchanged: no request at all.
    const again = json(await a.run(["push", "--json"]));
    expect(again).toMatchObject({ pushed: 0, unchanged: 1, requests: 0, bytes: 0 });

    const pc = await c.run(["pull", "--json"]);
    expect(pc.code).toBe(0);
    expect(json(pc)).toMatchObject({ pulled: 2, skipped: 0 });
    const listC = json(await c.run(["list-runs", "demo", "--json"]));
    const listA = json(await a.run(["list-runs", "demo", "--json", "--type", "milestone"]));
    const listB = json(await b.run(["list-runs", "demo", "--json"]));
    expect(listC.map(withoutOrigin)).toEqual([...listA, ...listB]);
    expect(listC.map((r: any) => r.origin)).toEqual([{ remote: "team", hosts: ["host-a"] }, { remote: "team", hosts: ["host-b"] }]);
    for (const [m, id, host] of [[a, "ms-a", "host-a"], [b, "ms-b", "host-b"]] as const) {
      const mine = json(await m.run(["show", "demo", id, "--json"]));
      const pulled = json(await c.run(["show", "demo", id, "--json"]));
      expect(withoutOrigin(pulled)).toEqual(mine);
      expect(pulled.origin.hosts).toEqual([host]);
    }
    // Pulled snapshots: one tree per distinct content under .store/trees, each run's
    // code_snapshot a relative symlink to it; every listed file reads as on its machine.
    const targets = new Set<string>();
    for (const [m, id] of [[a, "ms-a"], [b, "ms-b"]] as const) {
      const link = join(c.runDir("demo", id), "code_snapshot");
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readlinkSync(link)).toMatch(/^(\.\.\/)+\.store\/trees\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
      expect(realpathSync(link).startsWith(realpathSync(join(c.root, ".store", "trees")))).toBe(true);
      targets.add(realpathSync(link));
      const listed = JSON.parse(readFileSync(join(m.runDir("demo", id), "snapshot_manifest.json"), "utf8")).files.map((f: any) => f.path);
      expect(listed.length).toBeGreaterThan(0);
      for (const path of listed) expect(readFileSync(join(link, path))).toEqual(readFileSync(join(m.runDir("demo", id), "code_snapshot", path)));
    }
    const manifests = ["ms-a", "ms-b"].map((id) => JSON.parse(readFileSync(join(c.runDir("demo", id), "snapshot_manifest.json"), "utf8")).files);
    expect(targets.size).toBe(JSON.stringify(manifests[0]) === JSON.stringify(manifests[1]) ? 1 : 2);
    const text = await c.run(["show", "demo", "ms-b"]);
    expect(text.stdout).toContain("origin   host-b (pulled from team");
    const cmpA = await a.run(["compare", "demo", "ms-a", "ms-b", "--cases"]);
    const cmpC = await c.run(["compare", "demo", "ms-a", "ms-b", "--cases"]);
    expect(cmpA.code).toBe(2); // a does not have ms-b yet
    // a and c see the same comparison once a has pulled b's run
    expect((await a.run(["pull"])).code).toBe(0);
    expect((await a.run(["compare", "demo", "ms-a", "ms-b", "--cases"])).stdout).toBe(cmpC.stdout);
    expect(cmpC.stdout).toContain("better");
    for (const cmd of [["diff", "demo", "ms-a", "ms-b"], ["check", "demo", "ms-b", "--metric", "acc>=0.1", "--baseline", "ms-a", "--max-regression", "acc=1"], ["export", "demo", "--format", "csv"]]) {
      const r = await c.run(cmd);
      expect(`${cmd[0]} ${r.code} ${r.stderr}`).toBe(`${cmd[0]} 0 `);
    }
    // serve's API and report read the pulled run as any other, its origin host included.
    const served = Bun.spawn([await ensureBinary(), "serve", "--port", "0"], { cwd: c.dir, env: testEnv(s3Env(server)), stdout: "pipe", stderr: "ignore", stdin: "ignore" });
    try {
      const reader = (served.stdout as ReadableStream<Uint8Array>).getReader();
      let url = "";
      while (!url.includes("\n")) {
        const next = await reader.read();
        if (next.done) break;
        url += new TextDecoder().decode(next.value);
      }
      const view = await (await fetch(`${url.trim()}api/experiments/demo/runs/ms-b`)).json();
      expect(view.report).toMatchObject({ run_id: "ms-b", status: "finished", origin: { remote: "team", hosts: ["host-b"] } });
    } finally {
      served.kill("SIGINT");
      await served.exited;
    }
    const report = await c.run(["report", "demo", "ms-a", "ms-b", "-o", "team.html"]);
    expect(report.code).toBe(0);
    const html = readFileSync(join(c.dir, "team.html"), "utf8");
    const data = JSON.parse(/<script type="application\/json" id="scryptorum-data">(.*?)<\/script>/s.exec(html)![1]!);
    expect(data.view.comparison.runs.map((r: any) => [r.run_id, r.origin])).toEqual([["ms-a", { remote: "team", hosts: ["host-a"] }], ["ms-b", { remote: "team", hosts: ["host-b"] }]]);

    const pulledAgain = json(await c.run(["pull", "--json"]));
    expect(pulledAgain).toMatchObject({ pulled: 0, unchanged: 2, requests: 1 });

    // More lines: one new segment with just those bytes.
    const log = join(a.runDir("demo", "ms-a"), "run.jsonl");
    const extra = `{"timestamp":"2030-01-01T00:00:00.000Z","run_id":"ms-a","event_type":"late","n":1}\n`;
    writeFileSync(log, readFileSync(log, "utf8") + extra);
    const grow = json(await a.run(["push", "--json"]));
    const ms = grow.runs.find((r: any) => r.run_id === "ms-a");
    expect(ms).toMatchObject({ result: "pushed", commit: 2, blobs_uploaded: 1 });
    expect(ms.bytes - extra.length).toBeLessThan(6000); // the segment plus the commit object
    expect((await c.run(["pull", "demo", "--runs", "ms-a"])).code).toBe(0);
    expect(readFileSync(join(c.runDir("demo", "ms-a"), "run.jsonl"), "utf8")).toBe(readFileSync(log, "utf8"));

    // No credential anywhere in the bucket.
    const bk = bucket(pfx);
    const keys = await bk.list("");
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) {
      const body = new TextDecoder().decode(await bk.get(key));
      expect(body).not.toContain(server.secretAccessKey);
      expect(body).not.toContain(server.accessKeyId);
    }
  }, 120_000);

  test("the same run id from two machines merges: both writers' records, both hosts; a pulled run that stopped pushing reads stale", async () => {
    const pfx = prefix();
    const a = await machine(pfx, "host-a");
    const b = await machine(pfx, "host-b");
    const c = await machine(pfx, "host-c");
    await milestone(a, "demo", "shared", { N: "4" });
    await milestone(b, "demo", "shared", { N: "6" });
    expect((await a.run(["push"])).code).toBe(0);
    expect((await b.run(["push"])).code).toBe(0);
    expect((await c.run(["pull", "demo"])).code).toBe(0);
    const show = json(await c.run(["show", "demo", "shared", "--json"]));
    expect(show.origin.hosts.sort()).toEqual(["host-a", "host-b"]);
    expect(show.events.rec).toBe(10);
    const recs = lines(join(c.runDir("demo", "shared"), "run.jsonl")).filter((r) => r.event_type === "rec");
    expect(recs.filter((r) => r.who === "host-a").map((r) => r.i)).toEqual([0, 1, 2, 3]);
    expect(recs.filter((r) => r.who === "host-b").map((r) => r.i)).toEqual([0, 1, 2, 3, 4, 5]);

    // a's own copy: pulling merges b's writer into it and keeps a's records once.
    expect((await a.run(["pull"])).code).toBe(0);
    expect(lines(join(a.runDir("demo", "shared"), "run.jsonl")).filter((r) => r.event_type === "rec")).toHaveLength(10);
    expect(json(await a.run(["push", "--json"])).requests).toBe(0);

    // A writer that went away mid-run: it pushed `running`, then nothing.
    await milestone(a, "demo", "gone");
    const meta = join(a.runDir("demo", "gone"), "run.json");
    writeFileSync(meta, JSON.stringify({ ...JSON.parse(readFileSync(meta, "utf8")), status: "running", finished_at: undefined }));
    expect((await a.run(["push"])).code).toBe(0);
    expect((await c.run(["pull", "--runs", "gone"], { SCRYPTORUM_STALE_AFTER: "600" })).code).toBe(0);
    expect(json(await c.run(["list-runs", "demo", "--json"])).find((r: any) => r.run_id === "gone").status).toBe("running");
    rmSync(c.runDir("demo", "gone"), { recursive: true });
    rmSync(join(c.root, ".remote"), { recursive: true });
    expect((await c.run(["pull", "--runs", "gone"], { SCRYPTORUM_STALE_AFTER: "1" })).code).toBe(0);
    await Bun.sleep(1100);
    expect(json(await c.run(["list-runs", "demo", "--json"])).find((r: any) => r.run_id === "gone").status).toBe("stale");
    expect((await c.run(["list-runs", "demo", "--status", "stale"])).stdout).toContain("gone");
  }, 120_000);

  test("8 machines write one run at once (2% of records 200 KiB): after pull every record is there exactly once, every line whole", async () => {
    const pfx = prefix();
    const ms = await Promise.all(Array.from({ length: 8 }, (_, i) => machine(pfx, `w${i}`)));
    await Promise.all(ms.map((m) => milestone(m, "load", "one", { N: "100" })));
    const pushes = await Promise.all(ms.map((m) => m.run(["push", "--json"], {}, 60_000)));
    expect(pushes.map((p) => p.code)).toEqual(Array(8).fill(0));
    const reader = await machine(pfx, "reader");
    const pulled = await reader.run(["pull", "--json"], {}, 60_000);
    expect(pulled.code).toBe(0);
    expect(json(pulled).runs).toMatchObject([{ run_id: "one", writers: 8, result: "pulled" }]);
    const text = readFileSync(join(reader.runDir("load", "one"), "run.jsonl"), "utf8");
    expect(text.endsWith("\n")).toBe(true);
    const recs = text.split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.event_type === "rec");
    expect(recs).toHaveLength(800);
    const seen = new Set(recs.map((r) => `${r.who}/${r.i}`));
    expect(seen.size).toBe(800);
    expect(recs.filter((r) => r.payload.length === 200 * 1024)).toHaveLength(16);
    const metrics = lines(join(reader.runDir("load", "one"), "metrics.jsonl"));
    expect(metrics.filter((m) => m.name === "acc")).toHaveLength(800);
  }, 120_000);

  test("16 concurrent pushes of overlapping snapshots upload each blob once; a push killed mid-way completes when rerun", async () => {
    const pfx = prefix();
    const first = await machine(pfx, "m0");
    await milestone(first, "snap", "base");
    await milestone(first, "snap", "base-2");
    // 15 more copies of the same project ("machines" with their own writer ids)
    const dirs = [first.dir];
    for (let i = 1; i < 16; i++) {
      const d = tempDir(`scryptorum-push-m${i}-`);
      cpSync(first.dir, d, { recursive: true });
      rmSync(join(d, "experiments", readdirSync(join(d, "experiments"))[0]!, ".remote"), { recursive: true, force: true });
      dirs.push(d);
    }
    const env = s3Env(server);
    const pushes = await Promise.all(dirs.map((cwd, i) => bin(["push", "--json"], { cwd, env: { ...env, SCRYPTORUM_HOSTNAME: `m${i}` }, timeoutMs: 60_000 })));
    expect(pushes.map((p) => p.code)).toEqual(Array(16).fill(0));
    const bk = bucket(pfx);
    const blobs = (await bk.list("blobs/")).length;
    const uploaded = pushes.reduce((n, p) => n + json(p).runs.reduce((k: number, r: any) => k + r.blobs_uploaded, 0), 0);
    expect(uploaded).toBe(blobs);
    const commits = (await bk.list("experiments/snap/runs/base/writers/")).length;
    expect(commits).toBe(16);

    // A push of many files, killed once some blobs are up; rerun, it completes.
    const k = await machine(prefix(), "killed");
    await milestone(k, "big", "many");
    const arts = join(k.runDir("big", "many"), "artifacts");
    for (let i = 0; i < 400; i++) writeFileSync(join(arts, `f${i}.txt`), `artifact ${i} `.repeat(200));
    const proc = Bun.spawn([await ensureBinary(), "push"], { cwd: k.dir, env: testEnv(s3Env(server)), stdout: "ignore", stderr: "ignore" });
    const kb = bucket(JSON.parse(readFileSync(join(k.dir, ".scryptorum"), "utf8")).remotes.team.url.split("/").pop());
    for (let t = 0; t < 400 && (await kb.list("blobs/")).length < 20; t++) await Bun.sleep(10);
    proc.kill("SIGKILL");
    await proc.exited;
    expect(await kb.list("experiments/")).toEqual([]); // no commit: nothing visible as complete
    const rerun = await k.run(["push", "--json"]);
    expect(rerun.code).toBe(0);
    expect(json(rerun).runs[0].blobs_present).toBeGreaterThan(0);
    const r = await machine(JSON.parse(readFileSync(join(k.dir, ".scryptorum"), "utf8")).remotes.team.url.split("/").pop(), "r");
    expect((await r.run(["pull"])).code).toBe(0);
    expect(readdirSync(join(r.runDir("big", "many"), "artifacts"))).toHaveLength(400);
    expect(readFileSync(join(r.runDir("big", "many"), "artifacts", "f399.txt"), "utf8")).toBe("artifact 399 ".repeat(200));
  }, 120_000);

  test("a trial pushed by name and run again replaces the bucket's copy for readers (the latest trial wins); a replaced milestone is refused naming the fix", async () => {
    const pfx = prefix();
    const a = await machine(pfx, "host-a");
    const b = await machine(pfx, "host-b");
    const c = await machine(pfx, "host-c");
    const trial = async (m: Machine, n: number) => {
      expect((await m.run(["run", "demo", "-s", "w.ts"], { WHO: m.host, N: String(n) })).code).toBe(0);
      const r = await m.run(["push", "demo", "--runs", "trial_run", "--json"]);
      expect(`${r.code} ${r.stderr}`).toBe("0 ");
      return json(r).runs[0];
    };
    const pulledTrial = async () => {
      expect((await c.run(["pull", "demo"])).code).toBe(0);
      return readFileSync(join(c.runDir("demo", "trial_run"), "run.jsonl"), "utf8");
    };
    const recsOf = (text: string) => text.split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.event_type === "rec").map((r) => `${r.who}/${r.i}`);
    await trial(a, 5);
    expect(recsOf(await pulledTrial())).toEqual(["host-a/0", "host-a/1", "host-a/2", "host-a/3", "host-a/4"]);
    // Run again, shorter then longer than what was pushed: each push is the new trial, whole.
    for (const n of [2, 8]) {
      expect(await trial(a, n)).toMatchObject({ result: "pushed" });
      expect(await pulledTrial()).toBe(readFileSync(join(a.runDir("demo", "trial_run"), "run.jsonl"), "utf8"));
    }
    expect(json(await c.run(["show", "demo", "trial_run", "--json"])).started_at).toBe(JSON.parse(readFileSync(join(a.runDir("demo", "trial_run"), "run.json"), "utf8")).started_at);
    // Another machine's later trial is the trial readers see.
    await trial(b, 1);
    expect(recsOf(await pulledTrial())).toEqual(["host-b/0"]);
    expect(json(await c.run(["show", "demo", "trial_run", "--json"])).origin.hosts).toEqual(["host-b"]);

    // A milestone deleted and made again under the same id: refused, nothing sent.
    await milestone(a, "demo", "m1");
    expect((await a.run(["push"])).code).toBe(0);
    rmSync(a.runDir("demo", "m1"), { recursive: true });
    await milestone(a, "demo", "m1");
    const again = await a.run(["push", "--json"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("run demo/m1 was replaced since it was pushed");
    expect(again.stderr).toContain("a milestone is never rewritten; give the new run another id");
  }, 120_000);

  test("pulls of the same new run at once: each exits 0 or says to rerun, the run is whole; diff follows a pulled code_snapshot (a symlink to a shared tree)", async () => {
    const pfx = prefix();
    const a = await machine(pfx, "host-a");
    const b = await machine(pfx, "host-b");
    await milestone(a, "demo", "ms-a", { N: "400" });
    expect((await a.run(["push"])).code).toBe(0);
    writeFileSync(join(b.dir, "w.ts"), readFileSync(join(b.dir, "w.ts"), "utf8") + "// changed on b\n");
    await milestone(b, "demo", "ms-b");

    const pulls = await Promise.all([1, 2, 3, 4].map(() => b.run(["pull", "demo", "--json"])));
    for (const r of pulls) {
      if (r.code === 0) expect(json(r).skipped).toBe(0);
      else expect(`${r.code} ${r.stderr}`).toMatch(/^1 .*run demo\/ms-a was written by another pull at the same time.*rerun the pull/s);
    }
    expect(pulls.some((r) => r.code === 0)).toBe(true);
    expect(readFileSync(join(b.runDir("demo", "ms-a"), "run.jsonl"), "utf8")).toBe(readFileSync(join(a.runDir("demo", "ms-a"), "run.jsonl"), "utf8"));
    expect(json(await b.run(["pull", "demo", "--json"]))).toMatchObject({ pulled: 0, unchanged: 1 });

    // The pulled code_snapshot is a symlink to a shared tree: diff follows it.
    expect(lstatSync(join(b.runDir("demo", "ms-a"), "code_snapshot")).isSymbolicLink()).toBe(true);
    const diff = await b.run(["diff", "demo", "ms-a", "ms-b", "--json"]);
    expect(diff.code).toBe(0);
    const changed = json(diff).files.filter((f: any) => f.section === "code");
    expect(changed.map((f: any) => [f.path, f.status])).toEqual([["w.ts", "modified"]]);
    expect(changed[0].diff).toContain("+// changed on b");
  }, 120_000);

  test("a milestone's dataset file goes with it: pulled into data/ byte for byte, listed in its manifest under the same sha256", async () => {
    const pfx = prefix();
    const a = await machine(pfx, "host-a");
    const b = await machine(pfx, "host-b");
    const rows = [1, 2, 3].map((i) => JSON.stringify({ id: `c${i}`, input: i, expected: i + 1 })).join("\n") + "\n";
    mkdirSync(join(a.root, "experiments", "ds", "data"), { recursive: true });
    writeFileSync(join(a.root, "experiments", "ds", "data", "qa.jsonl"), rows);
    writeFileSync(join(a.dir, "ds.ts"), `import { dataset, evaluate } from "scryptorum";\nawait evaluate({ data: dataset("qa"), task: (x: number) => x + 1, scores: { exact: ({ output, expected }) => output === expected } });\n`);
    const r = await a.run(["run", "ds", "-s", "ds.ts", "--milestone", "--run-id", "ms-ds"], {}, 60_000);
    expect(r.stderr).not.toContain("error:");
    expect(readFileSync(join(a.runDir("ds", "ms-ds"), "data", "qa.jsonl"), "utf8")).toBe(rows);
    expect((await a.run(["push"])).code).toBe(0);
    expect(json(await b.run(["pull", "ds", "--json"]))).toMatchObject({ pulled: 1 });
    const pulled = b.runDir("ds", "ms-ds");
    expect(readFileSync(join(pulled, "data", "qa.jsonl"), "utf8")).toBe(rows);
    const sha = createHash("sha256").update(rows).digest("hex");
    expect(JSON.parse(readFileSync(join(pulled, "snapshot_manifest.json"), "utf8")).datasets).toEqual([expect.objectContaining({ path: "data/qa.jsonl", sha256: sha })]);
    const started = readFileSync(join(pulled, "run.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.event_type === "eval_started");
    expect(started.dataset_hash).toBe(sha);
  }, 120_000);

  test("a corrupted blob is detected on pull: exit 1 naming it, nothing local changed; so is a commit naming a path outside the run folder", async () => {
    const pfx = prefix();
    const a = await machine(pfx, "host-a");
    const c = await machine(pfx, "host-c");
    await milestone(a, "demo", "v1");
    expect((await a.run(["push"])).code).toBe(0);
    expect((await c.run(["pull"])).code).toBe(0);
    const before = readFileSync(join(c.runDir("demo", "v1"), "run.jsonl"), "utf8");
    const log = join(a.runDir("demo", "v1"), "run.jsonl");
    writeFileSync(log, readFileSync(log, "utf8") + `{"timestamp":"2030-01-01T00:00:00.000Z","event_type":"late"}\n`);
    const pushed = json(await a.run(["push", "--json"]));
    expect(pushed.runs[0].blobs_uploaded).toBe(1);
    // Overwrite the new segment with other bytes, as a faulty disk or a hand edit would.
    const bk = bucket(pfx);
    const commit = JSON.parse(new TextDecoder().decode(await bk.get((await bk.list("experiments/demo/runs/v1/writers/")).sort().pop()!)));
    const sha = commit.logs["run.jsonl"].segments.at(-1).sha256;
    const key = `blobs/sha256/${sha.slice(0, 2)}/${sha}`;
    const put = await bk.send("PUT", key, { body: "garbage\n" });
    expect(put.ok).toBe(true);
    const r = await c.run(["pull"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`blob ${pfx}/${key}`);
    expect(r.stderr).toContain("does not match its sha256");
    expect(readFileSync(join(c.runDir("demo", "v1"), "run.jsonl"), "utf8")).toBe(before);
    const fresh = await machine(pfx, "host-d");
    expect((await fresh.run(["pull"])).code).toBe(1);
    expect(existsSync(fresh.runDir("demo", "v1"))).toBe(false);

    // A commit naming a path outside the run folder is refused before anything is written.
    const evil = { ...commit, writer: "evil", n: 1, logs: {}, files: { ...commit.files, "../../../escaped.txt": commit.logs["run.jsonl"].segments[0] } };
    expect((await bk.send("PUT", "experiments/demo/runs/v2/writers/evil/00000001.json", { body: JSON.stringify(evil) })).ok).toBe(true);
    const e = await fresh.run(["pull", "demo", "--runs", "v2"]);
    expect(e.code).toBe(1);
    expect(e.stderr).toContain(`run demo/v2 names a file "../../../escaped.txt" that is not a path inside a run folder`);
    expect(existsSync(fresh.runDir("demo", "v2"))).toBe(false);
    expect(readdirSync(fresh.root).filter((f) => f.includes("escaped"))).toEqual([]);
  }, 120_000);

  test("the README's CI recipe on a fresh clone holding only .scryptorum: pull the baseline, run, check --baseline, push", async () => {
    const pfx = prefix();
    const main = await machine(pfx, "main-ci");
    await milestone(main, "sentiment", "main");
    expect((await main.run(["push"])).code).toBe(0);
    const clone = tempDir("scryptorum-push-clone-");
    writeFileSync(join(clone, ".scryptorum"), readFileSync(join(main.dir, ".scryptorum")));
    writeFileSync(join(clone, "w.ts"), SCRIPT);
    const ci = (args: string[]) => bin(args, { cwd: clone, env: s3Env(server, { SCRYPTORUM_HOSTNAME: "pr-ci" }), timeoutMs: 60_000 });
    for (const step of [
      ["pull", "sentiment", "--runs", "main"],
      ["run", "sentiment", "-s", "w.ts", "--milestone", "--run-id", "pr-7"],
      ["check", "sentiment", "pr-7", "--metric", "acc>=0.5", "--baseline", "main", "--max-regression", "acc=1%"],
      ["push", "sentiment", "--runs", "pr-7"],
    ]) {
      const r = await ci(step);
      expect(`${step[0]}: ${r.code}`).toBe(`${step[0]}: 0`);
    }
    expect((await main.run(["pull"])).code).toBe(0);
    expect(json(await main.run(["list-runs", "sentiment", "--json"])).map((r: any) => [r.run_id, r.origin?.hosts ?? null])).toEqual([["main", null], ["pr-7", ["pr-ci"]]]);
  }, 120_000);

  test("errors: no remote or no credentials exit 2 naming the fix; wrong keys, a missing bucket or a dead endpoint exit 1", async () => {
    const a = await machine(prefix(), "host-a");
    await milestone(a, "demo", "v1");
    const none = tempDir("scryptorum-push-none-");
    await bin(["init"], { cwd: none });
    const noRemote = await bin(["push"], { cwd: none, env: s3Env(server) });
    expect(noRemote.code).toBe(2);
    expect(noRemote.stderr).toContain("no remote configured");
    const noKeys = await a.run(["push"], { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toContain("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    const wrong = await a.run(["push"], { AWS_SECRET_ACCESS_KEY: "wrong-secret-value" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("refused the credentials");
    expect(wrong.stderr).not.toContain("wrong-secret-value");
    await a.run(["remote", "add", "nobucket", "s3://no-such-bucket-here", "--endpoint", server.endpoint]);
    await a.run(["remote", "add", "down", `s3://${server.bucket}`, "--endpoint", "http://127.0.0.1:9"]);
    for (const cmd of ["push", "pull"]) {
      const nb = await a.run([cmd, "--remote", "nobucket"]);
      expect(nb.code).toBe(1);
      expect(nb.stderr).toContain('bucket "no-such-bucket-here" does not exist');
    }
    const down = await a.run(["pull", "--remote", "down"], {}, 60_000); // after 5 retries with backoff
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("cannot be reached at http://127.0.0.1:9");
    const badRun = await a.run(["push", "demo", "--remote", "team", "--runs", "nope"]);
    expect(badRun.code).toBe(2);
    expect(badRun.stderr).toContain('run "nope" does not exist');
  }, 120_000);
});
