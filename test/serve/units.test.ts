/** The pieces under the viewer: live tailing, the report file's escaping and CSP, series, call listing. */
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hostname } from "node:os";
import { readLlmCalls } from "../../src/read/calls";
import { readMetricSeries } from "../../src/read/series";
import { buildReportData, inlineScript, reportHtml, scriptJson, writeReport } from "../../src/report";
import { RunTail } from "../../src/serve/tail";
import { allowedHosts } from "../../src/serve/server";
import { checkRelPath } from "../../src/serve/paths";
import { tempDir } from "../helpers/project";
import { XSS_OUTPUT, makeFixture } from "./fixture";

const rec = (o: Record<string, unknown>) => `${JSON.stringify(o)}\n`;

describe("RunTail", () => {
  function runDir(): string {
    const dir = tempDir();
    writeFileSync(join(dir, "run.json"), JSON.stringify({ format: 1, run_id: "t", run_type: "trial", status: "running", pid: process.pid, hostname: hostname(), started_at: new Date().toISOString() }));
    return dir;
  }

  test("new whole lines only, from the given offsets; torn lines wait; a shrunk file resets", () => {
    const dir = runDir();
    const metrics = join(dir, "metrics.jsonl");
    writeFileSync(metrics, rec({ name: "old", value: 1 }));
    const tail = new RunTail(dir, { metrics: readFileSync(metrics).length });
    expect(tail.poll().filter((e) => e.event !== "status")).toEqual([]);
    appendFileSync(metrics, `${rec({ name: "a", value: 1 })}{"name":"b","va`);
    expect(tail.poll()).toEqual([{ event: "records", data: { file: "metrics", records: [{ name: "a", value: 1 }] } }]);
    expect(tail.poll()).toEqual([]);
    appendFileSync(metrics, `lue":2}\nnot json\n`);
    expect(tail.poll()).toEqual([{ event: "records", data: { file: "metrics", records: [{ name: "b", value: 2 }] } }]);
    writeFileSync(metrics, rec({ name: "c", value: 3 }));
    expect(tail.poll()).toEqual([
      { event: "reset", data: { file: "metrics" } },
      { event: "records", data: { file: "metrics", records: [{ name: "c", value: 3 }] } },
    ]);
  });

  test("reports the status when run.json changes", () => {
    const dir = runDir();
    const tail = new RunTail(dir, {});
    expect(tail.poll()).toEqual([{ event: "status", data: { status: "running", finished_at: null, duration_seconds: null } }]);
    const meta = JSON.parse(readFileSync(join(dir, "run.json"), "utf8"));
    writeFileSync(join(dir, "run.json"), JSON.stringify({ ...meta, status: "finished", finished_at: "2026-01-01T00:00:00.000Z", duration_seconds: 2 }));
    expect(tail.poll()).toEqual([{ event: "status", data: { status: "finished", finished_at: "2026-01-01T00:00:00.000Z", duration_seconds: 2 } }]);
  });
});

describe("report file", () => {
  test("data JSON cannot close its script tag and reads back unchanged", () => {
    const value = { out: `</script><script>alert(1)</script><!-- \u2028 & >`, n: [1, 2] };
    const text = scriptJson(value);
    expect(text).not.toMatch(/<|>|&/);
    expect(JSON.parse(text)).toEqual(value);
    expect(inlineScript(`var a="</script>";var b="</SCRIPT>"`)).toBe(`var a="<\\/script>";var b="<\\/SCRIPT>"`);
    expect(() => inlineScript(`var a="<!--"`)).toThrow();
  });

  test("one file: inlined script and style allowed by hash, no network source, the data embedded", async () => {
    const fx = makeFixture();
    const data = buildReportData({ experiment: "qa", runs: ["v1", "v2"], projectRoot: fx.root });
    expect(data.view.comparison.metrics.find((m) => m.name === "accuracy")?.deltas).toEqual([null, 0.1]);
    const html = await reportHtml(data);
    expect(html.match(/<\/script>/g)?.length).toBe(2);
    expect(html).not.toContain(XSS_OUTPUT);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!.replace(/&#39;/g, "'");
    const script = /<script>([\s\S]*)<\/script>\n<\/body>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = (s: string) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    const json = /<script type="application\/json" id="scryptorum-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(JSON.parse(json).view.cases.runs[0].cases.find((c: any) => c.case === "q3").baseline.output).toBe(XSS_OUTPUT);
  });

  test("every run by default; unknown runs and experiments are user errors", async () => {
    const fx = makeFixture();
    const out = join(tempDir(), "r.html");
    const written = await writeReport({ experiment: "qa", projectRoot: fx.root, out });
    expect(written.runs).toEqual(["v1", "v2"]);
    expect(() => buildReportData({ experiment: "qa", runs: ["v1", "nope"], projectRoot: fx.root })).toThrow(/run "nope" does not exist/);
    expect(() => buildReportData({ experiment: "nope", projectRoot: fx.root })).toThrow(/does not exist/);
    expect(() => buildReportData({ experiment: "empty", projectRoot: fx.root })).toThrow(/no runs yet/);
    expect(() => buildReportData({ experiment: "../qa", projectRoot: fx.root })).toThrow(/not valid/);
  });
});

describe("read model additions", () => {
  test("series: steps sorted, long series thinned keeping first and last", () => {
    const dir = tempDir();
    const lines = [3, 1, 2].map((step) => rec({ name: "loss", value: step / 10, type: "loss", step })).join("");
    writeFileSync(join(dir, "metrics.jsonl"), lines + Array.from({ length: 5000 }, (_, i) => rec({ name: "x", value: i })).join(""));
    const [loss, x] = readMetricSeries(dir, { maxPoints: 100 });
    expect(loss).toMatchObject({ x_kind: "step", x: [1, 2, 3], y: [0.1, 0.2, 0.3], count: 3 });
    expect(x!.x.length).toBe(100);
    expect(x!.x[0]).toBe(0);
    expect(x!.x[99]).toBe(4999);
    expect(x!.count).toBe(5000);
  });

  test("calls: objects as indented JSON text, errors as text", () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "run.jsonl"), rec({ event_type: "llm_call", model: "m", input: [{ role: "user", content: "hi" }], output: null, error: { message: "boom" } }));
    const page = readLlmCalls(dir);
    expect(page.calls[0]!.input).toBe(JSON.stringify([{ role: "user", content: "hi" }], null, 2));
    expect(page.calls[0]!.output).toBe("");
    expect(page.calls[0]!.error).toContain("boom");
  });
});

describe("guards", () => {
  test("allowed hosts: loopback names with the port only", () => {
    const hosts = allowedHosts("127.0.0.1", 4280);
    expect([...hosts].sort()).toEqual(["127.0.0.1:4280", "[::1]:4280", "localhost:4280"]);
    expect(allowedHosts("::1", 80).has("[::1]")).toBe(true);
  });

  test("relative paths: plain segments only", () => {
    expect(checkRelPath("a/b.txt")).toBe("a/b.txt");
    for (const bad of ["../a", "a/../b", "/etc/passwd", "a//b", "a\\b", "a\u0000b", "C:/x", "./a", ""]) expect(() => checkRelPath(bad)).toThrow();
  });
});
