/**
 * The viewer's JSON API, in-process: what each endpoint returns, and what it refuses —
 * traversal (`../`, `%2e%2e%2f`, double-encoded, absolute, backslashes, NUL), symlinks out
 * of the project, files not in a snapshot's manifest, foreign Host headers — with the
 * security headers on every response.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runFiles } from "../../src/core/layout";
import { startServer, type ServerHandle } from "../../src/serve/server";
import { tempDir } from "../helpers/project";
import { rawGet } from "./http";
import { SECRET_TEXT, XSS_METRIC, XSS_OUTPUT, makeFixture, type Fixture } from "./fixture";

let fx: Fixture;
let server: ServerHandle;
let base: string;
const v1 = () => join(fx.root, "experiments", "qa", "runs", "v1");

beforeAll(async () => {
  fx = makeFixture();
  // An experiment folder that is a symlink to a look-alike experiment outside the project.
  const evil = tempDir("scry-evil-");
  mkdirSync(join(evil, "runs", "r1"), { recursive: true });
  writeFileSync(join(evil, "experiment.json"), JSON.stringify({ name: "evil", created_at: new Date().toISOString() }));
  writeFileSync(join(evil, "runs", "r1", "run.json"), JSON.stringify({ format: 1, run_id: "r1", run_type: "trial", status: "finished", started_at: new Date().toISOString(), config: { secret: SECRET_TEXT }, tags: [] }));
  symlinkSync(evil, join(fx.root, "experiments", "evil"));
  // A run folder that is a symlink out of the project.
  symlinkSync(join(evil, "runs", "r1"), join(fx.root, "experiments", "qa", "runs", "r1"));
  // A file in code_snapshot/ that the manifest does not list, and a snapshot symlink out.
  writeFileSync(join(v1(), "code_snapshot", "unlisted.txt"), SECRET_TEXT);
  symlinkSync(fx.outside, join(v1(), "code_snapshot", "escape.ts"));
  server = await startServer({ projectRoot: fx.root, port: 0, host: "127.0.0.1" });
  base = server.url.replace(/\/$/, "");
});

afterAll(async () => {
  await server?.stop();
});

const get = (path: string, init?: RequestInit) => fetch(`${base}${path}`, init);
const getJson = async (path: string) => {
  const res = await get(path);
  expect(res.status).toBe(200);
  return res.json() as Promise<any>;
};

describe("endpoints", () => {
  test("GET /api/project: experiments with run counts and the latest run's metrics", async () => {
    const p = await getJson("/api/project");
    expect(p.name).toBe("demo");
    const qa = p.experiments.find((e: any) => e.name === "qa");
    expect(qa.runs).toBe(2);
    expect(qa.statuses).toEqual({ finished: 2 });
    expect(qa.latest.run_id).toBe("v2");
    expect(qa.latest.metrics.accuracy).toBe(0.9);
    expect(p.experiments.find((e: any) => e.name === "empty").runs).toBe(0);
    // The symlinked experiment leaves the project: not listed.
    expect(p.experiments.map((e: any) => e.name)).not.toContain("evil");
  });

  test("GET /api/experiments/:e: runs, metric names, tags", async () => {
    const e = await getJson("/api/experiments/qa");
    expect(e.runs.map((r: any) => r.run_id)).toEqual(["v1", "v2"]);
    expect(e.metric_names).toEqual(["accuracy", "loss", XSS_METRIC, "correct"]);
    expect(e.tags).toEqual(["baseline"]);
    // runs/r1 is a symlink out of the project: neither listed nor served.
    expect((await rawGet(server.port, "/api/experiments/qa/runs/r1")).status).toBe(403);
  });

  test("GET /api/experiments/:e/runs/:r: the src/read report, tail offsets, artifacts, snapshot totals", async () => {
    const r = await getJson("/api/experiments/qa/runs/v1");
    expect(r.report.run_id).toBe("v1");
    expect(r.report.metrics.find((m: any) => m.name === "loss")).toMatchObject({ count: 5, last: 0.2, last_step: 5 });
    expect(r.report.llm.calls).toBe(3);
    expect(r.report.spans.length).toBeGreaterThan(0);
    expect(r.offsets.metrics).toBeGreaterThan(0);
    expect(r.artifacts.map((a: any) => a.path)).toEqual(["plots/loss.svg", "predictions.json"]);
    expect(r.snapshot).toEqual({ files: 2, bytes: expect.any(Number), excluded: 0 });
  });

  test("GET …/series: x is the step when logged, else the index", async () => {
    const { series } = await getJson("/api/experiments/qa/runs/v1/series");
    expect(series.find((s: any) => s.name === "loss")).toMatchObject({ x_kind: "step", x: [1, 2, 3, 4, 5], y: [1, 0.5, 1 / 3, 0.25, 0.2] });
    expect(series.find((s: any) => s.name === "correct")).toMatchObject({ x_kind: "index", x: [0, 1] });
  });

  test("GET …/llm-calls: search and paging, input and output as text", async () => {
    const all = await getJson("/api/experiments/qa/runs/v1/llm-calls");
    expect(all).toMatchObject({ total: 3, matched: 3, offset: 0 });
    expect(all.calls[2].output).toBe(XSS_OUTPUT);
    expect(all.calls[0]).toMatchObject({ model: "gpt-4o-mini", input: "capital of France?", output: "Paris", input_tokens: 12, output_tokens: 3, cost_usd: 0.0012, case: "q1" });
    const found = await getJson("/api/experiments/qa/runs/v1/llm-calls?q=PARIS");
    expect(found.matched).toBe(1);
    const page = await getJson("/api/experiments/qa/runs/v1/llm-calls?offset=1&limit=1");
    expect(page.calls.map((c: any) => c.index)).toEqual([1]);
    expect((await get("/api/experiments/qa/runs/v1/llm-calls?limit=-1")).status).toBe(400);
  });

  test("GET …/compare: the src/read comparison, cases and diffs", async () => {
    const c = await getJson("/api/experiments/qa/compare?runs=v1,v2");
    expect(c.comparison.baseline).toBe("v1");
    expect(c.comparison.metrics.find((m: any) => m.name === "accuracy")).toMatchObject({ values: [0.8, 0.9], deltas: [null, 0.1] });
    expect(c.cases.runs[0].counts).toMatchObject({ better: 1, removed: 1 });
    expect(c.diffs[0].config).toEqual([{ key: "temperature", status: "changed", a: 0.2, b: 0.7 }]);
    expect(c.diffs[0].files.map((f: any) => f.path)).toEqual(expect.arrayContaining(["prompts/system.md", "main.ts"]));
    expect(c.series.map((s: any) => s.run_id)).toEqual(["v1", "v2"]);
    const b = await getJson("/api/experiments/qa/compare?runs=v1,v2&baseline=v2");
    expect(b.comparison.baseline).toBe("v2");
    expect((await get("/api/experiments/qa/compare")).status).toBe(400);
    expect((await get("/api/experiments/qa/compare?runs=v1,nope")).status).toBe(404);
    expect((await get("/api/experiments/qa/compare?runs=v1,v2&baseline=zz")).status).toBe(400);
  });

  test("artifacts download as attachments, never rendered", async () => {
    const res = await get("/api/experiments/qa/runs/v1/artifacts/plots/loss.svg");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toStartWith("attachment;");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).toContain("<svg");
  });

  test("snapshot files: listed ones as text (or a download), unlisted ones never", async () => {
    const m = await getJson("/api/experiments/qa/runs/v1/snapshot");
    expect(m.files.map((f: any) => f.path)).toEqual(["lib/util.ts", "main.ts"]);
    const f = await getJson("/api/experiments/qa/runs/v1/snapshot/lib/util.ts");
    expect(f).toMatchObject({ path: "lib/util.ts", binary: false });
    expect(f.text).toContain("export const version = 1;");
    const dl = await get("/api/experiments/qa/runs/v1/snapshot/main.ts?download=1");
    expect(dl.headers.get("content-disposition")).toStartWith("attachment;");
    for (const path of ["unlisted.txt", "escape.ts"]) {
      const res = await get(`/api/experiments/qa/runs/v1/snapshot/${path}`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain(SECRET_TEXT);
    }
    expect((await get("/api/experiments/qa/runs/v2/snapshot/lib/util.ts")).status).toBe(200);
    expect((await get("/api/experiments/qa/runs/nope/snapshot")).status).toBe(404);
  });

  test("the page and its assets", async () => {
    const page = await get("/");
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await page.text();
    expect(html).toContain('<script src="/assets/viewer.js');
    expect(html).not.toContain("<script>");
    const js = await get("/assets/viewer.js");
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await js.text()).length).toBeGreaterThan(20_000);
    expect((await get("/assets/viewer.css")).headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect((await get("/nope")).status).toBe(404);
    expect((await get("/api/nope")).status).toBe(404);
  });
});

describe("security", () => {
  test("every response carries the CSP and nosniff, and no CORS header", async () => {
    for (const path of ["/", "/assets/viewer.js", "/api/project", "/api/experiments/nope", "/api/experiments/qa/runs/v1/artifacts/predictions.json", "/nope"]) {
      const res = await get(path, { headers: { Origin: "http://evil.example" } });
      const csp = res.headers.get("content-security-policy") ?? "";
      for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
        expect(csp).toContain(d);
      }
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      await res.arrayBuffer();
    }
  });

  test("a Host other than the bound address, localhost, 127.0.0.1 or [::1] with the port gets 403 (DNS rebinding)", async () => {
    const port = server.port;
    for (const host of ["evil.example", `evil.example:${port}`, `127.0.0.1:${port + 1}`, `localhost.evil.example:${port}`, "127.0.0.1", "", null]) {
      const res = await rawGet(port, "/api/project", { host });
      // No Host at all is refused by Bun itself (400) before the handler runs.
      expect(host === null ? [400, 403] : [403]).toContain(res.status);
      expect(res.body).not.toContain("demo");
    }
    const viaFetch = await get("/api/project", { headers: { Host: "evil.example" } });
    expect(viaFetch.status).toBe(403);
    expect(viaFetch.headers.get("content-type")).toStartWith("application/json");
    expect(await viaFetch.json()).toEqual({ error: "this server only answers requests addressed to its own loopback address" });
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect((await rawGet(port, "/api/project", { host })).status).toBe(200);
    }
  });

  test("only GET and HEAD", async () => {
    for (const method of ["POST", "PUT", "DELETE", "OPTIONS"]) {
      const res = await get("/api/project", { method });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
      expect(await res.json()).toEqual({ error: "method not allowed: only GET and HEAD" });
    }
    // Outside /api/ the page's errors stay plain text.
    expect((await get("/", { method: "POST" })).headers.get("content-type")).toStartWith("text/plain");
  });

  const ATTACKS = [
    "/api/experiments/qa/runs/v1/artifacts/../../../../../../../../etc/passwd",
    "/api/experiments/qa/runs/v1/artifacts/..%2f..%2frun.json",
    "/api/experiments/qa/runs/v1/artifacts/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/api/experiments/qa/runs/v1/artifacts/%2e%2e/%2e%2e/run.json",
    "/api/experiments/qa/runs/v1/artifacts/%252e%252e%252f%252e%252e%252frun.json",
    "/api/experiments/qa/runs/v1/artifacts/%2Fetc%2Fpasswd",
    "/api/experiments/qa/runs/v1/artifacts//etc/passwd",
    "/api/experiments/qa/runs/v1/artifacts/..%5c..%5crun.json",
    "/api/experiments/qa/runs/v1/artifacts/predictions.json%00.txt",
    "/api/experiments/qa/runs/v1/artifacts/escape.txt",
    "/api/experiments/qa/runs/v1/artifacts/%E0%A4%A",
    "/api/experiments/qa/runs/v1/snapshot/..%2f..%2f..%2fexperiment.json",
    "/api/experiments/qa/runs/v1/snapshot/%2e%2e%2frun.json",
    "/api/experiments/qa/runs/v1/snapshot/%2Fetc%2Fpasswd",
    "/api/experiments/qa/runs/v1/snapshot/escape.ts",
    "/api/experiments/qa/runs/%2e%2e%2f%2e%2e%2fempty/series",
    "/api/experiments/qa/runs/..%2F..%2F..%2F..%2Fetc",
    "/api/experiments/%2e%2e/runs/v1",
    "/api/experiments/%2e%2e%2f%2e%2e%2f%2e%2e/project",
    "/api/experiments/%2Ftmp/runs/v1",
    "/api/experiments/evil",
    "/api/experiments/evil/runs/r1",
    "/api/experiments/evil/compare?runs=r1",
    "/api/experiments/qa/compare?runs=..%2Fv1,v2",
    "/api/experiments/qa/compare?runs=v1,v2&baseline=..%2F..",
    "/api/experiments/__proto__",
    "/..%2f..%2f..%2fetc/passwd",
    "/assets/..%2f..%2fpackage.json",
  ];

  test.each(ATTACKS)("%s gets 400, 403 or 404 and reads nothing", async (path) => {
    const res = await rawGet(server.port, path);
    expect([400, 403, 404]).toContain(res.status);
    expect(res.body).not.toContain(SECRET_TEXT);
    expect(res.body).not.toContain("root:");
    expect(res.body).not.toContain('"run_id"');
    expect(res.body).not.toContain("/tmp/");
  });

  test("a symlink out of the project is refused with 403, not followed", async () => {
    expect((await rawGet(server.port, "/api/experiments/qa/runs/v1/artifacts/escape.txt")).status).toBe(403);
    expect((await rawGet(server.port, "/api/experiments/evil/runs/r1")).status).toBe(403);
  });

  test("a run whose JSONL file is a symlink out of the project is refused", async () => {
    const exp = join(fx.root, "experiments", "qa", "runs");
    const dir = join(exp, "linked");
    mkdirSync(dir);
    writeFileSync(join(dir, "run.json"), JSON.stringify({ format: 1, run_id: "linked", run_type: "trial", experiment: "qa", project: "demo", status: "finished", started_at: new Date().toISOString(), config: {}, tags: [] }));
    symlinkSync(fx.outside, runFiles(dir).events);
    for (const path of ["/api/experiments/qa/runs/linked", "/api/experiments/qa/runs/linked/llm-calls", "/api/experiments/qa/runs/linked/stream"]) {
      const res = await rawGet(server.port, path);
      expect(res.status).toBe(403);
      expect(res.body).not.toContain(SECRET_TEXT);
    }
  });
});

describe("live stream", () => {
  test("sends appended whole lines only; a torn last line waits for its newline", async () => {
    const dir = v1();
    const { offsets } = await getJson("/api/experiments/qa/runs/v1");
    const ctrl = new AbortController();
    const res = await get(`/api/experiments/qa/runs/v1/stream?events=${offsets.events}&metrics=${offsets.metrics}&timings=${offsets.timings}`, { signal: ctrl.signal });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = res.body!.getReader();
    let text = "";
    let pending: ReturnType<typeof reader.read> | undefined;
    const readFor = async (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        pending ??= reader.read();
        const next = await Promise.race([pending, Bun.sleep(Math.max(0, until - Date.now())).then(() => null)]);
        if (!next) break;
        pending = undefined;
        if (next.done) break;
        text += new TextDecoder().decode(next.value);
      }
    };
    const line = JSON.stringify({ timestamp: new Date().toISOString(), run_id: "v1", name: "streamed", value: 7, type: "custom" });
    appendFileSync(runFiles(dir).metrics, line.slice(0, 20));
    await readFor(700);
    expect(text).not.toContain("streamed");
    appendFileSync(runFiles(dir).metrics, `${line.slice(20)}\n`);
    await readFor(700);
    const events = text.split("\n\n").filter((e) => e.startsWith("event: records"));
    expect(events.length).toBe(1);
    const data = JSON.parse(events[0]!.split("\ndata: ")[1]!);
    expect(data).toEqual({ file: "metrics", records: [JSON.parse(line)] });
    ctrl.abort();
  });

  test("bad offsets are refused", async () => {
    expect((await get("/api/experiments/qa/runs/v1/stream?metrics=-5")).status).toBe(400);
    expect((await get("/api/experiments/qa/runs/v1/stream?metrics=abc")).status).toBe(400);
  });
});

describe("starting", () => {
  test("a port in use is a user error naming the port", async () => {
    await expect(startServer({ projectRoot: fx.root, port: server.port })).rejects.toThrow(/in use/);
  });

  test("not a project is a user error", async () => {
    await expect(startServer({ projectRoot: tempDir(), port: 0 })).rejects.toThrow(/no scryptorum project/);
  });
});
