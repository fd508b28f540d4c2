/**
 * `scryptorum report`: one self-contained HTML file with the compare view of some runs.
 * The viewer's script and stylesheet are inlined, the data sits as JSON in a
 * `<script type="application/json">` tag (escaped so nothing in it can close the tag), and
 * a Content-Security-Policy meta allows only that inlined script and style, by sha256
 * hash, and no network request of any kind.
 */
import { createHash } from "node:crypto";
import { writeFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { UserError } from "../core/errors";
import { findExperiment, listExperimentRuns, resolveRun } from "../read/locate";
import { readCompareView } from "../read/compare-view";
import { VERSION } from "../core/version";
import type { ReportData } from "../viewer/data";

export interface ReportOptions {
  experiment: string;
  /** Run ids; default every run of the experiment (oldest first). */
  runs?: string[];
  baseline?: string;
  projectRoot?: string;
  cwd?: string;
}

/** Most runs a report takes when none are named: the latest ones. */
export const DEFAULT_REPORT_RUNS = 20;

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` (and the two
 * line separators) escaped as \u sequences, so the text can never hold `</script>` or
 * `<!--`, and JSON.parse reads it back unchanged.
 *
 * @example
 * scriptJson({ out: "</script><script>alert(1)</script>" }); // '{"out":"\u003c/script\u003e…"}'
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Makes script text safe inside `<script>…</script>`; refuses what cannot be made safe blindly. */
export function inlineScript(js: string): string {
  const safe = js.replace(/<\/(script)/gi, "<\\/$1");
  if (/<!--|<script/i.test(safe)) throw new Error("the viewer bundle holds `<!--` or `<script`: it cannot be inlined safely");
  return safe;
}

function inlineStyle(css: string): string {
  if (/<\/style/i.test(css)) throw new Error("the viewer stylesheet holds `</style`: it cannot be inlined");
  return css;
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The report page for some data. */
export async function reportHtml(data: ReportData): Promise<string> {
  const assets = await import("../serve/assets");
  const js = inlineScript(assets.VIEWER_JS);
  const css = inlineStyle(assets.VIEWER_CSS);
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(js)}`,
    `style-src ${sha256(css)}`,
    "img-src data:",
    "connect-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  const title = `${data.view.experiment}: ${data.view.comparison.runs.map((r) => r.run_id).join(" vs ")} · scryptorum report`;
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    '<link rel="icon" href="data:,">',
    `<style>${css}</style>`,
    "</head>",
    "<body>",
    '<div id="app"></div>',
    `<script type="application/json" id="scryptorum-data">${scriptJson(data)}</script>`,
    `<script>${js}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/**
 * Builds the report data for an experiment's runs: the same compare view `serve` shows.
 *
 * @example
 * const data = buildReportData({ experiment: "qa", runs: ["v1", "v2"] });
 */
export function buildReportData(opts: ReportOptions): ReportData {
  const exp = findExperiment(opts.experiment, { projectRoot: opts.projectRoot, cwd: opts.cwd });
  let runs = opts.runs && opts.runs.length ? [...new Set(opts.runs)] : listExperimentRuns(exp).map((r) => r.run_id).slice(-DEFAULT_REPORT_RUNS);
  if (runs.length === 0) throw new UserError(`experiment "${opts.experiment}" has no runs yet: start one with \`scryptorum run ${opts.experiment} --script <file>\``);
  const resolved = runs.map((id) => resolveRun(exp, id));
  runs = resolved.map((r) => r.run_id);
  if (opts.baseline !== undefined && !runs.includes(opts.baseline)) {
    throw new UserError(`--baseline ${opts.baseline} is not one of the reported runs (${runs.join(", ")}): add it to the run ids`);
  }
  const view = readCompareView(exp.name, resolved, opts.baseline);
  return { format: 1, kind: "compare", generated_at: new Date().toISOString(), version: VERSION, project: exp.project.name, view };
}

/**
 * Writes the report file (atomically: temp file, rename) and returns what it holds.
 *
 * @example
 * await writeReport({ experiment: "qa", runs: ["v1", "v2"], out: "report.html" });
 */
export async function writeReport(opts: ReportOptions & { out: string }): Promise<{ path: string; runs: string[]; bytes: number }> {
  const data = buildReportData(opts);
  const html = await reportHtml(data);
  const tmp = join(dirname(opts.out), `.${basename(opts.out)}.tmp-${process.pid}`);
  try {
    writeFileSync(tmp, html);
    renameSync(tmp, opts.out);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new UserError(`cannot write ${opts.out}: ${(error as Error).message}`, { cause: error });
  }
  return { path: opts.out, runs: data.view.comparison.runs.map((r) => r.run_id), bytes: Buffer.byteLength(html) };
}
