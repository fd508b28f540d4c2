import { writeFileSync } from "node:fs";
import { defineCommand } from "citty";
import { extname, relative, resolve } from "pathe";
import { UserError } from "../src/core/errors";
import { findExperiment, listExperimentRuns, resolveRun } from "../src/read/locate";
import { readRunReport } from "../src/read/summary";
import { EXPORT_FORMATS, exportRows, renderExport, type ExportFormat } from "../src/read/export";
import { listFlag, repeatedFlag } from "../src/cli/flags";
import { out } from "../src/cli/output";
import { logger } from "../src/cli/log";
import { sharedArgs } from "./_shared";

function pickFormat(format: string | undefined, json: boolean | undefined, output: string | undefined): ExportFormat {
  const fromFile = output ? extname(output).slice(1).toLowerCase().replace("markdown", "md") : "";
  const chosen = format ?? (json ? "json" : (EXPORT_FORMATS as readonly string[]).includes(fromFile) ? fromFile : undefined);
  if (chosen === undefined) throw new UserError("which format? add --format csv, --format json or --format md");
  if (!(EXPORT_FORMATS as readonly string[]).includes(chosen)) throw new UserError(`--format ${chosen} is not a format: use csv, json or md`);
  if (json && chosen !== "json") throw new UserError(`--json and --format ${chosen} disagree: drop one`);
  return chosen as ExportFormat;
}

async function exportTraces(args: Record<string, any>, rawArgs: string[]): Promise<void> {
  if (args.output !== undefined) throw new UserError("--format otlp sends to a collector, not to a file: drop -o, or give --endpoint <url>");
  if (args.json) throw new UserError("--json and --format otlp disagree: drop one");
  const exp = findExperiment(args.experiment, { projectRoot: args["project-root"] });
  const wanted = listFlag(repeatedFlag(rawArgs, "runs", args.runs));
  const ids = wanted.length ? wanted.map((id) => resolveRun(exp, id).run_id) : listExperimentRuns(exp).map((r) => r.run_id);
  if (ids.length === 0) logger.warn(`experiment "${exp.name}" has no runs yet: nothing sent`);
  const { exportOtlp } = await import("../src/otel/export");
  const r = await exportOtlp(exp, ids, {
    endpoint: args.endpoint,
    protocol: args.protocol,
    headers: repeatedFlag(rawArgs, "header", args.header),
    includeContent: args["include-content"] === true,
  });
  logger.success(`sent ${r.runs} run${r.runs === 1 ? "" : "s"} of "${exp.name}" as ${r.runs === 1 ? "one trace" : `${r.runs} traces`} (${r.spans} spans, ${r.protocol}) to ${r.url}`);
}

export default defineCommand({
  meta: { name: "export", description: "Export runs as CSV, JSON or a Markdown table, or send them as OpenTelemetry traces (--format otlp)" },
  args: {
    experiment: { type: "positional", required: true, description: "The experiment's name", valueHint: "name" },
    runs: { type: "string", description: "Run ids to export, comma-separated (default: every run)", valueHint: "id,id" },
    format: { type: "string", description: "csv, json or md (default: from -o's extension), or otlp to send traces to a collector", valueHint: "csv|json|md|otlp" },
    output: { type: "string", alias: "o", description: "Write to this file instead of stdout", valueHint: "file" },
    endpoint: { type: "string", description: "otlp: the collector's base URL (default: OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4318)", valueHint: "url" },
    protocol: { type: "string", description: "otlp: http/protobuf (default) or http/json", valueHint: "http/protobuf|http/json" },
    header: { type: "string", description: "otlp: a request header, repeatable (over OTEL_EXPORTER_OTLP_HEADERS)", valueHint: "key=value" },
    "include-content": { type: "boolean", description: "otlp: send prompts and outputs too (gen_ai.input.messages, …); left out by default" },
    ...sharedArgs,
  },
  async run({ args, rawArgs }) {
    const otlpOnly = (["endpoint", "protocol", "header", "include-content"] as const).find((k) => args[k] !== undefined && args[k] !== false);
    if (args.format === "otlp") return exportTraces(args, rawArgs);
    if (otlpOnly) throw new UserError(`--${otlpOnly} is for --format otlp: add --format otlp, or drop --${otlpOnly}`);
    const format = pickFormat(args.format, args.json, args.output);
    const exp = findExperiment(args.experiment, { projectRoot: args["project-root"] });
    const wanted = listFlag(repeatedFlag(rawArgs, "runs", args.runs));
    const ids = wanted.length ? wanted : listExperimentRuns(exp).map((r) => r.run_id);
    if (ids.length === 0) logger.warn(`experiment "${exp.name}" has no runs yet: the export holds none`);
    const text = renderExport(exportRows(ids.map((id) => readRunReport(resolveRun(exp, id).dir))), format);
    if (!args.output) return out(text);
    const path = resolve(process.cwd(), args.output);
    try {
      writeFileSync(path, text);
    } catch (error) {
      throw new UserError(`-o ${args.output} cannot be written: ${(error as Error).message}`, { cause: error });
    }
    logger.success(`exported ${ids.length} run${ids.length === 1 ? "" : "s"} of "${exp.name}" as ${format} to ${relative(process.cwd(), path) || path}`);
  },
});
