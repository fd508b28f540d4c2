import { defineCommand } from "citty";
import { findExperiment, resolveRun } from "../src/read/locate";
import { readRunReport } from "../src/read/summary";
import { renderShow } from "../src/cli/show-view";
import { stdoutView } from "../src/cli/tables";
import { out, outJson } from "../src/cli/output";
import { sharedArgs } from "./_shared";
import { readFlakiness } from "../src/read/flaky";
import { renderFlakiness } from "../src/cli/eval-view";

export default defineCommand({
  meta: { name: "show", description: "Show a run: header, metrics, timings, LLM calls (and the span tree with --tree)" },
  args: {
    experiment: { type: "positional", required: true, description: "The experiment's name", valueHint: "name" },
    run: { type: "positional", required: false, description: "The run's id (default: the latest run)", valueHint: "run" },
    tree: { type: "boolean", description: "Add the span tree (timings and LLM calls by parent span)" },
    ...sharedArgs,
  },
  run({ args }) {
    const exp = findExperiment(args.experiment, { projectRoot: args["project-root"] });
    const dir = resolveRun(exp, args.run).dir;
    const report = readRunReport(dir, { tree: args.tree });
    // An evaluation with trials > 1: per-case variance and the cases whose trials disagree.
    const flakiness = readFlakiness(dir);
    if (args.json) return outJson(flakiness ? { ...report, flakiness } : report);
    const view = stdoutView();
    out([...renderShow(report, view), ...(flakiness ? renderFlakiness(flakiness, view) : [])].join("\n"));
  },
});
