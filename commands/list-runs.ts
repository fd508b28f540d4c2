import { defineCommand } from "citty";
import { Experiment } from "../src/core/experiment";
import { Project } from "../src/core/project";
import { formatRunsTable } from "../src/cli/format";
import { terminalWidth } from "../src/units";
import { out, outJson } from "../src/cli/output";
import { logger } from "../src/cli/log";
import { filterRuns } from "../src/read/filter";
import { runFilterArgs, runFilterOf } from "../src/cli/flags";
import { sharedArgs } from "./_shared";

export default defineCommand({
  meta: { name: "list-runs", description: "List an experiment's runs: id, type, status, start, duration, metrics" },
  args: {
    experiment: { type: "positional", required: true, description: "The experiment's name", valueHint: "name" },
    ...runFilterArgs,
    ...sharedArgs,
  },
  run({ args, rawArgs }) {
    const project = Project.find(process.cwd(), args["project-root"]);
    const all = new Experiment(project, args.experiment, { create: false }).listRuns();
    const runs = filterRuns(all, runFilterOf(args, rawArgs));
    if (args.json) return outJson(runs);
    if (all.length > 0 && runs.length === 0) return logger.info("no runs match the filters");
    if (runs.length === 0) return logger.info(`no runs yet: start one with \`scryptorum run ${args.experiment} --script <file>\``);
    out(formatRunsTable(runs, terminalWidth(process.stdout)).join("\n"));
  },
});
