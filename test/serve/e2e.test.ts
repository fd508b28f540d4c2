/**
 * `serve` and `report` through the compiled binary (dist/scryptorum): the viewer bundle is
 * inside it, the URL is printed on stdout, SIGINT and SIGTERM end it with 130 and 143, a
 * busy port is a usage error (2), and `report` writes its file.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, testEnv } from "../helpers/cli";
import { tempDir } from "../helpers/project";
import { makeFixture, type Fixture } from "./fixture";

let binary: string;
let fx: Fixture;

beforeAll(async () => {
  binary = await ensureBinary();
  fx = makeFixture();
}, 120_000);

/** Starts `serve` and resolves with the process and the URL it printed. */
async function serve(args: string[]): Promise<{ proc: ReturnType<typeof Bun.spawn>; url: string; stderr: () => Promise<string> }> {
  const proc = Bun.spawn([binary, "serve", "--port", "0", "--project-root", fx.root, ...args], { cwd: fx.dir, env: testEnv(), stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let text = "";
  const deadline = Date.now() + 15_000;
  while (!text.includes("\n") && Date.now() < deadline) {
    const next = await reader.read();
    if (next.done) break;
    text += new TextDecoder().decode(next.value);
  }
  reader.releaseLock();
  return { proc, url: text.trim(), stderr: () => new Response(proc.stderr as ReadableStream).text() };
}

describe("the binary", () => {
  test("serve prints the URL, serves the embedded viewer and the API, and exits 130 on SIGINT", async () => {
    const { proc, url } = await serve([]);
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(url);
      expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(await page.text()).toContain("/assets/viewer.js");
      const js = await (await fetch(`${url}assets/viewer.js`)).text();
      expect(js.length).toBeGreaterThan(20_000);
      expect(js).toContain("uplot");
      const project = await (await fetch(`${url}api/project`)).json();
      expect(project.experiments.find((e: any) => e.name === "qa").runs).toBe(2);
      expect((await fetch(`${url}api/project`, { headers: { Host: "evil.example" } })).status).toBe(403);
    } finally {
      proc.kill("SIGINT");
    }
    expect(await proc.exited).toBe(130);
  });

  test("SIGTERM exits 143 with an open live stream", async () => {
    const { proc, url } = await serve(["--host", "127.0.0.1"]);
    const ctrl = new AbortController();
    const stream = await fetch(`${url}api/experiments/qa/runs/v1/stream`, { signal: ctrl.signal });
    expect(stream.status).toBe(200);
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(143);
    ctrl.abort();
  });

  test("a busy port or a bad --port is a usage error (exit 2)", async () => {
    const { proc, url } = await serve([]);
    try {
      const port = new URL(url).port;
      const busy = await bin(["serve", "--port", port, "--project-root", fx.root], { cwd: fx.dir });
      expect(busy.code).toBe(2);
      expect(busy.stderr).toContain(`port ${port}`);
      const bad = await bin(["serve", "--port", "http", "--project-root", fx.root], { cwd: fx.dir });
      expect(bad.code).toBe(2);
    } finally {
      proc.kill("SIGINT");
      await proc.exited;
    }
  });

  test("report writes one self-contained HTML file", async () => {
    const out = join(tempDir(), "report.html");
    const r = await bin(["report", "qa", "v1", "v2", "-o", out, "--project-root", fx.root], { cwd: fx.dir });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(out);
    expect(existsSync(out)).toBe(true);
    const html = readFileSync(out, "utf8");
    expect(html).toContain('id="scryptorum-data"');
    expect(html).toContain("script-src 'sha256-".replace(/'/g, "&#39;"));
    const missing = await bin(["report", "qa", "v1", "nope", "-o", out, "--project-root", fx.root], { cwd: fx.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('run "nope" does not exist');
  });
});
