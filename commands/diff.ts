import { defineCommand } from "citty";
import { findExperiment, resolveRun } from "../src/read/locate";
import { diffRuns } from "../src/read/rundiff";
import { renderDiff } from "../src/cli/diff-view";
import { stdoutView } from "../src/cli/tables";
import { out, outJson } from "../src/cli/output";
import { sharedArgs } from "./_shared";

export default defineCommand({
  meta: { name: "diff", description: "Show what changed between two runs: config, prompts and (milestones) the code snapshot" },
  args: {
    experiment: { type: "positional", required: true, description: "The experiment's name", valueHint: "name" },
    runA: { type: "positional", required: true, description: "The older run's id", valueHint: "run" },
    runB: { type: "positional", required: true, description: "The newer run's id", valueHint: "run" },
    ...sharedArgs,
  },
  run({ args }) {
    const exp = findExperiment(args.experiment, { projectRoot: args["project-root"] });
    const result = diffRuns(resolveRun(exp, args.runA).dir, resolveRun(exp, args.runB).dir);
    if (args.json) return outJson(result);
    out(renderDiff(result, stdoutView()).join("\n"));
  },
});
