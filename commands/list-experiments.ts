import { defineCommand } from "citty";
import { Project } from "../src/core/project";
import { formatExperiments } from "../src/cli/format";
import { out, outJson } from "../src/cli/output";
import { logger } from "../src/cli/log";
import { sharedArgs } from "./_shared";

export default defineCommand({
  meta: { name: "list-experiments", description: "List the project's experiments with their run counts" },
  args: { ...sharedArgs },
  run({ args }) {
    const experiments = Project.find(process.cwd(), args["project-root"]).listExperiments();
    if (args.json) return outJson(experiments);
    if (experiments.length === 0) return logger.info("no experiments yet: create one with `scryptorum create-experiment <name>`");
    out(formatExperiments(experiments).join("\n"));
  },
});
