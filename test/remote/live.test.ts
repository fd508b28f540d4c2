/**
 * `scryptorum run --push` (pushed while it runs) and `run --attach` (a writer on another
 * machine joining that run), through the binary against the suite's Ceph radosgw.
 */
import { expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, tempDir, testEnv } from "../helpers/cli";
import { s3Env, useS3Server } from "../helpers/s3";
import type { S3Server } from "../../scripts/s3-server";

let server: S3Server;
useS3Server({ binary: true }, (s) => (server = s));

const LIVE = `
import { getCurrentRun } from "scryptorum";
import { existsSync } from "node:fs";
const run = getCurrentRun();
run.logEvent("rec", { who: process.env.WHO, i: 0 });
while (process.env.GO && !existsSync(process.env.GO)) await new Promise((r) => setTimeout(r, 50));
run.logEvent("rec", { who: process.env.WHO, i: 1 });
`;

async function machine(prefix: string, host: string) {
  const dir = tempDir(`scryptorum-live-${host}-`);
  const env = { ...s3Env(server, { SCRYPTORUM_HOSTNAME: host, WHO: host }), SCRYPTORUM_PUSH_INTERVAL: "0.2" };
  const run = (args: string[], extra: Record<string, string | undefined> = {}) => bin(args, { cwd: dir, env: { ...env, ...extra }, timeoutMs: 60_000 });
  expect((await run(["init"])).code).toBe(0);
  writeFileSync(join(dir, "live.ts"), LIVE);
  expect((await run(["remote", "add", "team", `s3://${server.bucket}/${prefix}`, "--endpoint", server.endpoint])).code).toBe(0);
  const root = join(dir, "experiments", JSON.parse(readFileSync(join(dir, ".scryptorum"), "utf8")).project);
  return { dir, root, env, run, runDir: (exp: string, id: string) => join(root, "experiments", exp, "runs", id) };
}

const recs = (path: string) => readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.event_type === "rec");

test("run --push shows the run to the team while it runs; run --attach on another machine adds its records; the end is pushed", async () => {
  const prefix = `live-${crypto.randomUUID().slice(0, 8)}`;
  const a = await machine(prefix, "host-a");
  const b = await machine(prefix, "host-b");
  const c = await machine(prefix, "host-c");
  const go = join(a.dir, "go");
  const owner = Bun.spawn([await ensureBinary(), "run", "demo", "-s", "live.ts", "--milestone", "--run-id", "live", "--push"], {
    cwd: a.dir, env: testEnv({ ...a.env, GO: go }), stdout: "pipe", stderr: "pipe",
  });
  try {
    // The team sees the live run (its first record) before it ends.
    let seen = false;
    for (let t = 0; t < 100 && !seen; t++) {
      await Bun.sleep(100);
      await c.run(["pull", "demo"]);
      seen = existsSync(join(c.runDir("demo", "live"), "run.jsonl")) && recs(join(c.runDir("demo", "live"), "run.jsonl")).length === 1;
    }
    expect(seen).toBe(true);
    const running = JSON.parse((await c.run(["list-runs", "demo", "--json"])).stdout);
    expect(running).toMatchObject([{ run_id: "live", status: "running", origin: { remote: "team", hosts: ["host-a"] } }]);

    // Another machine joins the live run as one more writer.
    const joined = await b.run(["run", "demo", "-s", "live.ts", "--attach", "team:demo/live"]);
    expect(joined.code).toBe(0);
    expect(joined.stderr).toContain("attached to live (milestone)");
    expect(joined.stderr).toContain("pushed live to team");
  } finally {
    writeFileSync(go, "");
  }
  const [code, stderr] = await Promise.all([owner.exited, new Response(owner.stderr).text()]);
  expect(code).toBe(0);
  expect(stderr).toContain("pushed live to team");

  const pulled = await c.run(["pull", "--json"]);
  expect(pulled.code).toBe(0);
  const show = JSON.parse((await c.run(["show", "demo", "live", "--json"])).stdout);
  expect(show.status).toBe("finished");
  expect(show.origin.hosts).toEqual(["host-a", "host-b"]);
  expect(show.origin.writers.map((w: any) => w.status)).toEqual(["finished", "attached"]);
  const all = recs(join(c.runDir("demo", "live"), "run.jsonl")).map((r) => `${r.who}/${r.i}`).sort();
  expect(all).toEqual(["host-a/0", "host-a/1", "host-b/0", "host-b/1"]);
}, 120_000);

test('"push" in .scryptorum pushes every milestone at its end (not trials); --push on a trial, an unknown remote or no credentials exit 2 before the run', async () => {
  const a = await machine(`live-${crypto.randomUUID().slice(0, 8)}`, "host-a");
  const anchor = join(a.dir, ".scryptorum");
  writeFileSync(anchor, JSON.stringify({ ...JSON.parse(readFileSync(anchor, "utf8")), push: "team" }));
  const ms = await a.run(["run", "demo", "-s", "live.ts", "--milestone", "--run-id", "v1"]);
  expect(ms.code).toBe(0);
  expect(ms.stderr).toContain("pushed v1 to team");
  const trial = await a.run(["run", "demo", "-s", "live.ts"]);
  expect(trial.code).toBe(0);
  expect(trial.stderr).not.toContain("pushed");
  expect(JSON.parse((await a.run(["push", "--json"])).stdout)).toMatchObject({ pushed: 0, unchanged: 1, requests: 0 });

  for (const [args, message] of [
    [["run", "demo", "-s", "live.ts", "--push"], "--push is for milestones"],
    [["run", "demo", "-s", "live.ts", "--milestone", "--push", "nope"], 'no remote named "nope"'],
    [["run", "demo", "-s", "live.ts", "--attach", "team:other/x"], 'names experiment "other"'],
  ] as const) {
    const r = await a.run([...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  }
  const nokeys = await a.run(["run", "demo", "-s", "live.ts", "--milestone", "--run-id", "v2"], { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
  expect(nokeys.code).toBe(2);
  expect(nokeys.stderr).toContain("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  expect(existsSync(a.runDir("demo", "v2"))).toBe(false);
}, 120_000);
