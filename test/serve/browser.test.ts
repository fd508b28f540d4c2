/**
 * The viewer in a real browser: Debian's headless Chromium driven by playwright-core
 * (`bun scripts/setup-browser.ts` installs it). Opens the project, an experiment, a run and
 * a compare of two runs, checks a chart is drawn, that a metric appended to a running run
 * shows up without a reload, that XSS payloads show as text with no dialog, and that the
 * report file opens from file:// with the network blocked. Screenshots go to
 * test/artifacts/ (ignored by git).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { Experiment } from "../../src/index";
import { startServer, type ServerHandle } from "../../src/serve/server";
import { writeReport } from "../../src/report";
import { tempDir } from "../helpers/project";
import { XSS_METRIC, XSS_OUTPUT, makeFixture, type Fixture } from "./fixture";

const CHROMIUM = "/usr/bin/chromium";
// Where scripts/setup-browser.ts could not install Chromium (not Debian, no root), skip.
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ARTIFACTS = join(import.meta.dir, "..", "artifacts");
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let fx: Fixture;
let server: ServerHandle;
let context: BrowserContext;
let page: Page;
const dialogs: string[] = [];
const problems: string[] = [];

/** Watches a page for dialogs, script errors and CSP violations. */
function watch(p: Page): void {
  p.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  p.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  p.on("console", (m) => {
    if (m.type() === "error" || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
}

async function shot(p: Page, name: string): Promise<void> {
  await p.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

/** True when some canvas on the page has a drawn (non-transparent) pixel. */
async function chartDrawn(p: Page): Promise<boolean> {
  return p.evaluate(() =>
    [...document.querySelectorAll("canvas")].some((c) => {
      if (c.width === 0 || c.height === 0) return false;
      const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
      return false;
    }),
  );
}

beforeAll(async () => {
  // No skipping: a browser test that skips cannot fail. The test command installs Chromium.
  if (!HAVE_CHROMIUM) throw new Error(`${CHROMIUM} is missing: run \`bun scripts/setup-browser.ts\` (apt-get install chromium)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  fx = makeFixture();
  server = await startServer({ projectRoot: fx.root, port: 0, host: "127.0.0.1" });
  context = await chromium.launchPersistentContext(tempDir("scry-chromium-"), {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  watch(page);
});

afterAll(async () => {
  await context?.close();
  await server?.stop();
});

describe("serve in a browser", () => {
  test("project page lists experiments with run counts and latest metrics", async () => {
    await page.goto(server.url);
    const card = page.locator('[data-experiment="qa"]');
    await card.waitFor();
    expect(await card.textContent()).toContain("2 runs");
    expect(await card.textContent()).toContain("accuracy");
    expect(await card.textContent()).toContain("0.9");
    expect(await page.locator('[data-experiment="empty"]').textContent()).toContain("0 runs");
    await shot(page, "serve-project.png");
  });

  test("experiment page: runs table with metric columns, sort, filter, compare selection", async () => {
    await page.locator('[data-experiment="qa"] h2 a').click();
    await page.locator("table.runs tbody tr").first().waitFor();
    expect(await page.locator("table.runs tbody tr").count()).toBe(2);
    // The XSS metric name is a column header, as text.
    expect(await page.locator(`th[data-col="m:${XSS_METRIC}"]`).textContent()).toContain(XSS_METRIC);
    // Sort by accuracy, highest first.
    await page.locator('th[data-col="m:accuracy"]').click();
    expect(await page.locator("table.runs tbody tr").first().getAttribute("data-run")).toBe("v2");
    await page.locator('th[data-col="m:accuracy"]').click();
    expect(await page.locator("table.runs tbody tr").first().getAttribute("data-run")).toBe("v1");
    // Filter by tag.
    await page.locator('select[data-filter="tag"]').selectOption("baseline");
    expect(await page.locator("table.runs tbody tr").count()).toBe(1);
    await page.locator('select[data-filter="tag"]').selectOption("");
    await page.locator('select[data-filter="status"]').selectOption("failed");
    expect(await page.locator("table.runs tbody tr").count()).toBe(0);
    await page.locator('select[data-filter="status"]').selectOption("");
    await page.locator('tr[data-run="v1"] input[type="checkbox"]').check();
    await page.locator('tr[data-run="v2"] input[type="checkbox"]').check();
    await shot(page, "serve-experiment.png");
  });

  test("compare view: metrics side by side with deltas, cases, diffs, charts", async () => {
    await page.getByRole("button", { name: "Compare 2 runs" }).click();
    await page.locator("table.compare-metrics").waitFor();
    const accuracy = page.locator('table.compare-metrics tr[data-name="accuracy"]');
    expect(await accuracy.textContent()).toContain("0.8");
    expect(await accuracy.textContent()).toContain("0.9");
    expect(await accuracy.locator("td.delta").textContent()).toBe("+0.1");
    expect(await accuracy.locator("td.delta").getAttribute("class")).toContain("better");
    const cases = page.locator('.case-block[data-run="v2"]');
    expect(await cases.textContent()).toContain("1 better");
    expect(await cases.textContent()).toContain("q2");
    const diff = page.locator(".diff-block");
    expect(await diff.textContent()).toContain("temperature");
    expect(await diff.textContent()).toContain("prompts/system.md");
    expect(await diff.textContent()).toContain("main.ts");
    await page.waitForFunction(() => document.querySelectorAll("canvas").length >= 2);
    expect(await chartDrawn(page)).toBe(true);
    await shot(page, "serve-compare.png");
  });

  test("run page: header, metrics and charts, timings, LLM calls as text, spans, artifacts, snapshot", async () => {
    await page.goto(`${server.url}#/e/qa/r/v1`);
    await page.locator("table.metrics").waitFor();
    expect(await page.locator("h1").textContent()).toContain("v1");
    expect(await page.locator("h1 .badge").textContent()).toBe("finished");
    // The metric name with markup is text in its cell.
    expect(await page.locator("table.metrics td.metric-name").allTextContents()).toContain(XSS_METRIC);
    // The loss was logged 5 times with a step: charted.
    await page.waitForFunction(() => document.querySelectorAll(".charts canvas").length >= 1);
    expect(await page.locator(".chart-card figcaption").allTextContents()).toContain("loss");
    expect(await chartDrawn(page)).toBe(true);
    // LLM calls: the XSS output is shown as its characters.
    await page.locator(".call").first().waitFor();
    expect(await page.locator(".call").count()).toBe(3);
    expect(await page.locator('.call[data-index="2"] .call-output').textContent()).toBe(XSS_OUTPUT);
    expect(await page.locator("img").count()).toBe(0);
    await page.locator(".call-search").fill("paris");
    await page.waitForFunction(() => document.querySelectorAll(".call").length === 1);
    await page.locator(".call-search").fill("");
    await page.waitForFunction(() => document.querySelectorAll(".call").length === 3);
    // Timings, span tree, artifacts.
    expect(await page.locator("section", { hasText: "Timings" }).textContent()).toContain("retrieve");
    expect(await page.locator("ul.tree").first().textContent()).toContain("gpt-4o-mini");
    const artifactLinks = await page.locator("section", { hasText: "Artifacts" }).locator("a").allTextContents();
    expect(artifactLinks).toEqual(["plots/loss.svg", "predictions.json"]); // the escaping symlink is not listed
    // The snapshot: browse and open a file.
    await page.getByRole("button", { name: /Browse 2 files/ }).click();
    await page.locator('button[data-path="main.ts"]').click();
    await page.locator(".file-view pre").waitFor();
    expect(await page.locator(".file-view pre").textContent()).toContain("export const answer");
    await page.locator('button[data-path="lib/util.ts"]').click();
    await page.waitForFunction(() => document.querySelector(".file-view pre")?.textContent?.includes("onerror"));
    await shot(page, "serve-run.png");
  });

  test("a running run's page updates as lines are appended, without a reload", async () => {
    const exp = new Experiment(fx.root, "qa");
    const run = exp.createRun(); // a trial, running, owned by this process
    try {
      run.logMetric("step_loss", 0.9, "loss", { step: 1 });
      run.flush();
      await page.goto(`${server.url}#/e/qa/r/trial_run`);
      await page.locator("table.metrics").waitFor();
      expect(await page.locator("h1 .badge").textContent()).toBe("running");
      const marker = await page.evaluate(() => ((window as any).__noReload = Math.random()));
      run.logMetric("live_metric", 42, "custom");
      run.logMetric("step_loss", 0.5, "loss", { step: 2 });
      run.logLlmCall({ model: "live-model", input: "hi", output: XSS_OUTPUT, durationMs: 5 });
      run.flush();
      await page.waitForFunction(() => [...document.querySelectorAll("table.metrics td.metric-name")].some((td) => td.textContent === "live_metric"), null, { timeout: 10_000 });
      await page.waitForFunction(() => document.querySelectorAll(".charts canvas").length >= 1, null, { timeout: 10_000 });
      await page.waitForFunction(() => document.querySelectorAll(".call").length === 1, null, { timeout: 10_000 });
      expect(await page.locator(".call .call-output").textContent()).toBe(XSS_OUTPUT);
      run.finish();
      await page.waitForFunction(() => document.querySelector("h1 .badge")?.textContent === "finished", null, { timeout: 10_000 });
      expect(await page.evaluate(() => (window as any).__noReload)).toBe(marker);
      await shot(page, "serve-live.png");
    } finally {
      run.finish();
    }
  });

  test("the report file opens from file:// with the network blocked and shows the same numbers", async () => {
    const out = join(ARTIFACTS, "report.html");
    rmSync(out, { force: true });
    await writeReport({ experiment: "qa", runs: ["v1", "v2"], projectRoot: fx.root, out });
    const fileUrl = pathToFileURL(out).href;
    const p = await context.newPage();
    watch(p);
    const requests: string[] = [];
    await p.route("**/*", (route) => {
      const url = route.request().url();
      requests.push(url);
      return url === fileUrl ? route.continue() : route.abort();
    });
    await p.goto(fileUrl);
    await p.locator("table.compare-metrics").waitFor();
    const accuracy = p.locator('table.compare-metrics tr[data-name="accuracy"]');
    expect(await accuracy.textContent()).toContain("0.8");
    expect(await accuracy.textContent()).toContain("0.9");
    expect(await accuracy.locator("td.delta").textContent()).toBe("+0.1");
    expect(await p.locator('.case-block[data-run="v2"]').textContent()).toContain("1 better");
    expect(await p.locator(`table.compare-metrics tr[data-name="${XSS_METRIC}"] td.metric-name`).textContent()).toBe(XSS_METRIC);
    await p.waitForFunction(() => document.querySelectorAll("canvas").length >= 2);
    expect(await chartDrawn(p)).toBe(true);
    expect(requests.filter((u) => u !== fileUrl && !u.startsWith("data:"))).toEqual([]);
    await shot(p, "report.png");
    await p.close();
  });

  test("a run pulled from a team bucket names the machines that wrote it", async () => {
    // What `scryptorum pull` writes into run.json (src/remote/merge.ts).
    const meta = join(fx.root, "experiments/qa/runs/v2/run.json");
    const origin = { remote: "team", pulled_at: "2026-12-05T10:00:00.000Z", heartbeat_at: "2026-12-05T09:59:00.000Z", stale_after_seconds: 300, hosts: ["gpu-box", "laptop"], writers: [] };
    writeFileSync(meta, JSON.stringify({ ...JSON.parse(readFileSync(meta, "utf8")), origin }));
    await page.goto(`${server.url}#/e/qa/r/v2`);
    await page.locator(".meta .origin").waitFor();
    expect(await page.locator(".meta .origin").textContent()).toBe("from gpu-box, laptop (pulled from team)");
    await page.goto(`${server.url}#/e/qa/compare?runs=v1,v2`);
    await page.locator(".run-list .origin").waitFor();
    expect(await page.locator(".run-list li").allTextContents()).toEqual([expect.not.stringContaining("from"), expect.stringContaining("· from gpu-box, laptop")]);
  });

  test("no dialog fired and no script error or CSP violation anywhere", () => {
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
  });
});
