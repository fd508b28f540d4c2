import { defineCommand } from "citty";
import { resolve } from "node:path";
import { UserError } from "../src/core/errors";
import { logger } from "../src/cli/log";
import { out, outJson } from "../src/cli/output";
import { DEFAULT_REPORT_RUNS, writeReport } from "../src/report";
import { sharedArgs } from "./_shared";


export default defineCommand({
  meta: {
    name: "report",
    description: `Write one self-contained HTML file comparing runs (default: the latest ${DEFAULT_REPORT_RUNS}), to attach to a pull request or send`,
  },
  args: {
    experiment: { type: "positional", required: true, description: "The experiment's name", valueHint: "name" },
    runs: { type: "positional", required: false, variadic: true, description: "Run ids to compare, as many as you like (default: the latest ones)", valueHint: "run…" },
    output: { type: "string", alias: "o", description: "The file to write", default: "report.html", valueHint: "file" },
    baseline: { type: "string", description: "The run deltas are taken from (default: the first run)", valueHint: "run" },
    ...sharedArgs,
  },
  async run({ args }) {
    const runs = (args._ as string[]).slice(1);
    const dupe = runs.find((id, i) => runs.indexOf(id) !== i);
    if (dupe !== undefined) throw new UserError(`run "${dupe}" is named twice: give each run once`);
    if (args.baseline && runs.length > 0 && !runs.includes(args.baseline)) runs.unshift(args.baseline);
    const outFile = resolve(String(args.output || "report.html"));
    const written = await writeReport({ experiment: args.experiment, runs, baseline: args.baseline || undefined, projectRoot: args["project-root"], out: outFile });
    if (args.json) return outJson(written);
    out(written.path);
    logger.success(`report on ${written.runs.length} run${written.runs.length === 1 ? "" : "s"} of ${args.experiment} (${written.runs.join(", ")}): ${(written.bytes / 1024).toFixed(0)} KiB, opens offline`);
  },
});
