/**
 * The README's DuckDB queries (its ```sql blocks, read from README.md), run with
 * @duckdb/node-api over runs two machines pushed to the suite's Ceph radosgw and a third
 * pulled. The `s3://` query runs over a local copy of the bucket's keys (DuckDB's httpfs
 * extension is downloaded on first use, and this machine has no network): same SQL, the
 * bucket URL swapped for that folder, the INSTALL/LOAD/CREATE SECRET lines left out.
 */
import { expect, test } from "bun:test";
import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { bin, REPO, tempDir } from "../helpers/cli";
import { s3Env, useS3Server } from "../helpers/s3";
import type { S3Server } from "../../scripts/s3-server";
import { Bucket } from "../../src/remote/bucket";
import { parseS3Url } from "../../src/remote/config";

let server: S3Server;
useS3Server({ binary: true }, (s) => (server = s));

/** The README's SQL blocks by their first line's label (`-- runs: …` -> "runs"). */
function readmeQueries(): Record<string, string> {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const out: Record<string, string> = {};
  for (const m of readme.matchAll(/^```sql\n([\s\S]*?)^```$/gm)) {
    const label = /^-- (\w+):/.exec(m[1]!)?.[1];
    if (!label) throw new Error(`README: a sql block without a "-- <label>:" first line:\n${m[1]}`);
    out[label] = m[1]!;
  }
  return out;
}

// An evaluation with one LLM call per case (a fixed answer table stands for the model).
const QA = `
import { evaluate, getCurrentRun } from "scryptorum";
const better = process.env.VARIANT === "better";
const answers: Record<string, string> = { "2+2": "4", "capital of France": "Paris", "3*3": better ? "9" : "6" };
const expected: Record<string, string> = { "2+2": "4", "capital of France": "Paris", "3*3": "9" };
await evaluate({
  data: Object.keys(answers).map((q) => ({ id: q, input: q, expected: expected[q] })),
  task: (q: string) => {
    getCurrentRun()!.logLlmCall({ model: better ? "gpt-4o" : "gpt-4o-mini", input: q, output: answers[q], durationMs: 5, usage: { input_tokens: 10, output_tokens: 2 }, costUsd: better ? 0.001 : 0.0001 });
    return answers[q];
  },
  scores: { exact: ({ output, expected }) => output === expected },
});
`;

test("the README's DuckDB queries over pulled runs: runs with their origin host, changed cases, cost; and the bucket's commits", async () => {
  const prefix = `duckdb-${crypto.randomUUID().slice(0, 8)}`;
  const template = tempDir("scryptorum-duckdb-");
  expect((await bin(["init"], { cwd: template })).code).toBe(0);
  writeFileSync(join(template, "qa.ts"), QA);
  expect((await bin(["remote", "add", "team", `s3://${server.bucket}/${prefix}`, "--endpoint", server.endpoint], { cwd: template, env: s3Env(server) })).code).toBe(0);
  const machine = (host: string) => {
    const dir = tempDir(`scryptorum-duckdb-${host}-`);
    cpSync(template, dir, { recursive: true });
    return { dir, run: (args: string[], extra: Record<string, string> = {}) => bin(args, { cwd: dir, env: s3Env(server, { SCRYPTORUM_HOSTNAME: host, ...extra }), timeoutMs: 60_000 }) };
  };
  const a = machine("host-a");
  const b = machine("host-b");
  const c = machine("host-c");
  for (const [m, id, variant] of [[a, "v1", "worse"], [b, "v2", "better"]] as const) {
    const r = await m.run(["run", "qa", "-s", "qa.ts", "--milestone", "--run-id", id], { VARIANT: variant });
    expect(`${r.code} ${r.code ? r.stderr : ""}`).toBe("0 ");
    expect((await m.run(["push"])).code).toBe(0);
  }
  // A second push of v1 (one more line): two commits of one writer, the query keeps the latest.
  const project = JSON.parse(readFileSync(join(a.dir, ".scryptorum"), "utf8")).project;
  appendFileSync(join(a.dir, "experiments", project, "experiments/qa/runs/v1/run.jsonl"), `{"timestamp":"2030-01-01T00:00:00.000Z","run_id":"v1","event_type":"note","text":"late"}\n`);
  expect((await a.run(["push"])).code).toBe(0);
  expect((await c.run(["pull"])).code).toBe(0);

  const queries = readmeQueries();
  expect(Object.keys(queries)).toEqual(["runs", "cases", "cost", "bucket"]);
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson();
  try {
    // Relative paths resolve from the folder holding .scryptorum, as in the README.
    await conn.run(`SET file_search_path = '${c.dir}'`);
    expect(await rows(queries.runs!)).toEqual([
      { run_id: "v2", host: "host-b", status: "finished", scorer: "exact", score: 1, cases: "3" },
      { run_id: "v1", host: "host-a", status: "finished", scorer: "exact", score: 0.667, cases: "3" },
    ]);
    expect(await rows(queries.cases!)).toEqual([{ case_id: "3*3", exact_by_run: "v1=0, v2=1" }]);
    expect(await rows(queries.cost!)).toEqual([
      { run_id: "v2", model: "gpt-4o", calls: "3", tokens: "36", cost_usd: 0.003 },
      { run_id: "v1", model: "gpt-4o-mini", calls: "3", tokens: "36", cost_usd: 0.0003 },
    ]);

    // The bucket's commit objects, copied to a folder under their keys.
    const mirror = tempDir("scryptorum-duckdb-bucket-");
    const bucket = credentialed(() => {
      const url = `s3://${server.bucket}/${prefix}`;
      return new Bucket({ name: "team", url, endpoint: server.endpoint, ...parseS3Url(url) });
    });
    const commits = (await bucket.list("experiments/")).filter((k) => k.endsWith(".json"));
    expect(commits).toHaveLength(3); // v1: 2 commits, v2: 1
    for (const key of commits) {
      mkdirSync(dirname(join(mirror, key)), { recursive: true });
      writeFileSync(join(mirror, key), (await bucket.get(key))!);
    }
    const sql = queries.bucket!
      .split("\n")
      .filter((l) => !/^(INSTALL|LOAD|CREATE SECRET)\b/.test(l))
      .join("\n")
      .replaceAll("s3://my-bucket/llm-runs/", `${mirror}/`);
    expect(sql).toContain(`read_json('${mirror}/experiments/qa/runs/`);
    const latest = await rows(sql);
    expect(latest.map(({ pushed_at, ...rest }) => rest)).toEqual([
      { run_id: "v1", host: "host-a", status: "finished", metrics: '{"exact":0.666666666667}' },
      { run_id: "v2", host: "host-b", status: "finished", metrics: '{"exact":1}' },
    ]);
    const pulled = JSON.parse(readFileSync(join(c.dir, "experiments", project, "experiments/qa/runs/v1/run.json"), "utf8"));
    expect(latest[0]!.pushed_at).toBe(pulled.origin.heartbeat_at); // the second push's commit
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}, 120_000);

/** Runs `make` with the server's keys in process.env (the client reads them once), then restores it. */
function credentialed<T>(make: () => T): T {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = server.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = server.secretAccessKey;
  try {
    return make();
  } finally {
    for (const [k, v] of [["AWS_ACCESS_KEY_ID", saved.id], ["AWS_SECRET_ACCESS_KEY", saved.secret]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
