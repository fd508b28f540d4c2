/**
 * The viewer's eval table: the /cases API of a run made by evaluate(), and the run page in
 * Debian's headless Chromium (installed by scripts/setup-browser.ts, a step of npm test):
 * the table lists every case with its scores, sorts by a scorer, and filters to failures.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chromium, type BrowserContext } from "playwright-core";
import { evaluate, exactMatch, Experiment, makePrompt } from "../../src/index";
import { startServer, type ServerHandle } from "../../src/serve/server";
import { withRun } from "../../src/tracking/context";
import { tempDir } from "../helpers/project";

let server: ServerHandle;
let context: BrowserContext;
const problems: string[] = [];

beforeAll(async () => {
  const root = tempDir("scry-serve-evals-");
  // 12 cases: q3, q7 and q11 answered wrong; q5's task throws. ev2 renders an edited prompt.
  const data = Array.from({ length: 12 }, (_, i) => ({ id: `q${i}`, input: i, expected: String(i * 2) }));
  for (const [id, text] of [["ev1", "Double {{n}}"], ["ev2", "Twice {{n}}, please"]] as const) {
    const run = new Experiment(root, "qa").createRun("milestone", id);
    const ask = makePrompt("ask", text);
    await withRun(run, () =>
      evaluate({
        data,
        task: (n: number) => {
          ask.render({ n });
          if (n === 5) throw new Error("model down");
          return n % 4 === 3 ? "wrong" : String(n * 2);
        },
        scores: { exact: exactMatch(), length: ({ output }) => ({ score: Math.min(1, String(output).length / 2), reason: `${String(output).length} characters` }) },
      }),
    );
    run.finish();
  }
  server = await startServer({ projectRoot: root, port: 0, host: "127.0.0.1" });
  context = await chromium.launchPersistentContext(tempDir("scry-chromium-"), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
});

afterAll(async () => {
  await context?.close();
  await server?.stop();
});

test("GET /cases: one row per case with scores, errors and pass/fail", async () => {
  const r = await fetch(`${server.url}/api/experiments/qa/runs/ev1/cases`);
  expect(r.status).toBe(200);
  const t = await r.json();
  expect(t.scorers).toEqual(["exact", "length"]);
  expect(t.cases).toHaveLength(12);
  expect(t.failing).toBe(8);
  expect(t.cases.find((c: any) => c.case_id === "q3")).toMatchObject({ output: "wrong", expected: "6", scores: { exact: 0, length: 1 }, passed: false, error: null });
  expect(t.cases.find((c: any) => c.case_id === "q5")).toMatchObject({ error: "model down", passed: false });
  expect(t.cases.find((c: any) => c.case_id === "q2")).toMatchObject({ passed: false, scores: { exact: 1, length: 0.5 }, reasons: { length: "1 characters" } });
  expect((await fetch(`${server.url}/api/experiments/qa/runs/nope/cases`)).status).toBe(404);
});

test("run page: the eval table sorts by a scorer and filters to failures", async () => {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(`${server.url}#/e/qa/r/ev1`);
  const rows = page.locator("table.eval-cases tbody tr");
  await rows.first().waitFor();
  expect(await rows.count()).toBe(12);
  expect(await page.locator(".eval-table h2").textContent()).toBe("Eval cases");
  // Sorted by case id (numeric order) at first.
  expect(await rows.first().locator("td").first().textContent()).toBe("q0");
  expect(await rows.nth(2).locator("td").first().textContent()).toBe("q2");
  // Sort by exact, lowest first: the wrong answers (the errored case has no score, so it comes first).
  await page.locator('table.eval-cases th[data-col="exact"]').click();
  expect(await rows.first().locator("td").first().textContent()).toBe("q5");
  expect(await rows.nth(1).locator("td").first().textContent()).toBe("q3");
  await page.locator('table.eval-cases th[data-col="exact"]').click();
  expect(await page.locator('table.eval-cases th[data-col="exact"]').getAttribute("aria-sort")).toBe("descending");
  // Failures only: 3 wrong answers, 1 error, and q0..q4's one-character outputs score length 0.5.
  await page.locator("input.failures-only").check();
  const shown = await rows.locator("td:first-child").allTextContents();
  expect(shown.sort()).toEqual(["q0", "q1", "q11", "q2", "q3", "q4", "q5", "q7"].sort());
  expect(await page.locator(".eval-table").textContent()).toContain("model down");
  // Text search within the failures.
  await page.locator("input.eval-search").fill("q1");
  await page.waitForFunction(() => document.querySelectorAll("table.eval-cases tbody tr").length === 2);
  expect(problems).toEqual([]);
}, 60_000);

test("compare page: the prompt version each run used, and the text change", async () => {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${server.url}#/e/qa/compare?runs=ev1,ev2`);
  const versions = page.locator("table.prompt-versions tbody tr");
  await versions.first().waitFor();
  expect(await versions.count()).toBe(1);
  const cells = await versions.first().locator("td").allTextContents();
  expect(cells[0]).toBe("ask");
  expect(cells[1]).toMatch(/^[0-9a-f]{12}$/);
  expect(cells[2]).toMatch(/^[0-9a-f]{12}$/);
  expect(cells[1]).not.toBe(cells[2]);
  expect(cells[3]).toBe("changed");
  expect(await page.locator(".diff-block").textContent()).toContain("+Twice {{n}}, please");
  expect(problems).toEqual([]);
}, 60_000);
