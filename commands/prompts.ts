import { defineCommand } from "citty";
import { runDir } from "../src/core/layout";
import { findExperiment, listExperimentRuns } from "../src/read/locate";
import { listPromptVersions } from "../src/read/prompts";
import { renderPrompts } from "../src/cli/prompts-view";
import { stdoutView } from "../src/cli/tables";
import { logger } from "../src/cli/log";
import { out, outJson } from "../src/cli/output";
import { sharedArgs } from "./_shared";

export default defineCommand({
  meta: { name: "prompts", description: "List the prompt versions an experiment's runs rendered, with the runs that used each" },
  args: {
    experiment: { type: "positional", required: true, description: "The experiment's name", valueHint: "name" },
    ...sharedArgs,
  },
  run({ args }) {
    const exp = findExperiment(args.experiment, { projectRoot: args["project-root"] });
    const runs = listExperimentRuns(exp).map((r) => ({ ...r, dir: runDir(exp.project.root, exp.name, r.run_id) }));
    const prompts = listPromptVersions(runs);
    if (args.json) return outJson(prompts);
    if (prompts.length === 0) return logger.info(`no prompt versions recorded in "${exp.name}": render prompts with prompt("name").render(vars) inside a run`);
    out(renderPrompts(prompts, stdoutView()).join("\n"));
  },
});
