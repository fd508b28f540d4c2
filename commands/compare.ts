import { defineCommand } from "citty";
import { UserError } from "../src/core/errors";
import { findExperiment, resolveRun } from "../src/read/locate";
import { readRunReport } from "../src/read/summary";
import { compareReports } from "../src/read/compare";
import { compareCases, readCases } from "../src/read/cases";
import { renderCases, renderCompare, renderDatasets } from "../src/cli/compare-view";
import { compareDatasets, readRunDataset } from "../src/read/datasets";
import { readFlakiness } from "../src/read/flaky";
import { renderFlakiness } from "../src/cli/eval-view";
import { repeatedFlag } from "../src/cli/flags";
import { stdoutView } from "../src/cli/tables";
import { out, outJson } from "../src/cli/output";
import { sharedArgs } from "./_shared";

export default defineCommand({
  meta: { name: "compare", description: "Compare runs side by side: metrics, timings, tokens and cost, with deltas from a baseline" },
  args: {
    experiment: { type: "positional", required: true, description: "The experiment's name", valueHint: "name" },
    run1: { type: "positional", required: true, description: "A run id (the baseline, unless --baseline names another)", valueHint: "run" },
    run2: { type: "positional", required: true, description: "Another run id", valueHint: "run" },
    more: { type: "positional", required: false, variadic: true, description: "More run ids, as many as you like", valueHint: "run…" },
    baseline: { type: "string", description: "The run deltas are taken from (default: the first run)", valueHint: "run" },
    "only-changed": { type: "boolean", description: "Hide rows whose values are the same in every run" },
    cases: { type: "boolean", description: "Pair cases (by case/id field or input) and list those that got better, worse or changed" },
    "lower-is-better": { type: "string", description: "A metric where lower is better (repeatable); loss, latency, cost, error, duration already are", valueHint: "name" },
    ...sharedArgs,
  },
  run({ args, rawArgs }) {
    const exp = findExperiment(args.experiment, { projectRoot: args["project-root"] });
    const ids = (args._ as string[]).slice(1);
    if (args.baseline && !ids.includes(args.baseline)) ids.unshift(args.baseline);
    const dupe = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dupe !== undefined) throw new UserError(`run "${dupe}" is named twice: give each run once`);
    const runs = ids.map((id) => resolveRun(exp, id));
    const lowerIsBetter = repeatedFlag(rawArgs, "lower-is-better", args["lower-is-better"]);
    const comparison = compareReports(runs.map((r) => readRunReport(r.dir)), { baseline: args.baseline, lowerIsBetter, onlyChanged: args["only-changed"] });
    const cases = args.cases
      ? (() => {
          const all = runs.map((r) => ({ run_id: r.run_id, cases: readCases(r.dir) }));
          const base = all.find((r) => r.run_id === comparison.baseline)!;
          return compareCases(base, all.filter((r) => r !== base), { lowerIsBetter });
        })()
      : undefined;
    // Which dataset each evaluation ran on, against the baseline's (only when one ran one).
    const found = runs.map((r) => ({ run_id: r.run_id, dataset: readRunDataset(r.dir) }));
    const datasets = found.some((d) => d.dataset) ? compareDatasets(comparison.baseline, found) : undefined;
    // With trials > 1: each run's flaky cases (trials that disagree).
    const flaky = args.cases ? runs.map((r) => ({ run_id: r.run_id, flakiness: readFlakiness(r.dir) })).filter((f) => f.flakiness) : [];
    if (args.json) return outJson({ ...comparison, ...(datasets ? { datasets } : {}), ...(cases ? { cases } : {}), ...(flaky.length ? { flakiness: flaky } : {}) });
    const view = stdoutView();
    const [head, ...rest] = renderCompare(comparison, view);
    const flakyLines = flaky.flatMap((f) => renderFlakiness(f.flakiness!, view, f.run_id));
    out([head!, ...(datasets ? renderDatasets(datasets, comparison.baseline) : []), ...rest, ...(cases ? renderCases(cases, view) : []), ...flakyLines].join("\n"));
  },
});
