import { defineCommand } from "citty";
import { CheckFailed, UserError } from "../src/core/errors";
import { findExperiment, resolveRun } from "../src/read/locate";
import { readRunReport } from "../src/read/summary";
import { checkReport, parseRegression, parseRule } from "../src/read/check";
import { renderCheck } from "../src/cli/diff-view";
import { repeatedFlag } from "../src/cli/flags";
import { stdoutView } from "../src/cli/tables";
import { out, outJson } from "../src/cli/output";
import { sharedArgs } from "./_shared";
import { compareCases, readCases } from "../src/read/cases";

/** The paired statistics of a run against a baseline, per scorer, on their common cases. */
function pairedOf(runDir: string, baselineDir: string, lowerIsBetter: string[]) {
  const r = compareCases({ run_id: "baseline", cases: readCases(baselineDir) }, [{ run_id: "run", cases: readCases(runDir) }], { lowerIsBetter });
  return r.runs[0]!.paired;
}

export default defineCommand({
  meta: { name: "check", description: "Gate CI on a run: exit 0 when every rule holds, 1 when one fails" },
  args: {
    experiment: { type: "positional", required: true, description: "The experiment's name", valueHint: "name" },
    run: { type: "positional", required: false, description: "The run's id (default: the latest run)", valueHint: "run" },
    metric: { type: "string", description: 'A rule NAME OP NUMBER, like "accuracy>=0.8" (repeatable; OP: >= <= > < == !=)', valueHint: "rule" },
    baseline: { type: "string", description: "A run to check regressions against", valueHint: "run" },
    "max-regression": { type: "string", description: "Allowed regression from the baseline, NAME=AMOUNT or NAME=PERCENT% (repeatable)", valueHint: "name=amount" },
    significant: { type: "boolean", description: "Judge --max-regression on the paired difference over common cases (McNemar / bootstrap, Holm): fail only when the regression is also significant" },
    "lower-is-better": { type: "string", description: "A metric where lower is better (repeatable); loss, latency, cost, error, duration already are", valueHint: "name" },
    ...sharedArgs,
  },
  run({ args, rawArgs }) {
    // Every rule is parsed before anything is read: a typo is exit 2, never a failed gate.
    const rules = repeatedFlag(rawArgs, "metric", args.metric).map(parseRule);
    const regressions = repeatedFlag(rawArgs, "max-regression", args["max-regression"]).map(parseRegression);
    const lowerIsBetter = repeatedFlag(rawArgs, "lower-is-better", args["lower-is-better"]);
    if (rules.length === 0 && regressions.length === 0) {
      throw new UserError('nothing to check: give --metric "accuracy>=0.8", or --baseline <run> with --max-regression accuracy=0.02');
    }
    if (regressions.length > 0 && !args.baseline) throw new UserError("--max-regression needs a run to compare with: add --baseline <run>");
    if (args.significant && regressions.length === 0) throw new UserError("--significant is for regression limits: add --baseline <run> --max-regression NAME=AMOUNT");
    if (args.baseline && regressions.length === 0) throw new UserError("--baseline is for regression limits: add --max-regression NAME=AMOUNT (or NAME=PERCENT%)");
    const exp = findExperiment(args.experiment, { projectRoot: args["project-root"] });
    const runDir = resolveRun(exp, args.run).dir;
    const baselineDir = args.baseline ? resolveRun(exp, args.baseline).dir : undefined;
    const report = readRunReport(runDir);
    const baseline = baselineDir ? readRunReport(baselineDir) : undefined;
    const paired = args.significant && baselineDir ? pairedOf(runDir, baselineDir, lowerIsBetter) : undefined;
    const result = checkReport(report, { rules, regressions, baseline, lowerIsBetter, paired });
    if (args.json) outJson(result);
    else out(renderCheck(result, stdoutView()).join("\n"));
    if (!result.passed) throw new CheckFailed(result);
  },
});
