import { defineCommand } from "citty";
import { relative } from "pathe";
import { Experiment } from "../src/core/experiment";
import { Project } from "../src/core/project";
import { validateName } from "../src/core/validate";
import { writeTemplates } from "../src/scaffold";
import { experimentTemplates } from "../templates/index";
import { logger } from "../src/cli/log";
import { debugArg, jsonArg, projectRootArg } from "./_shared";
import { out } from "../src/cli/output";

export default defineCommand({
  meta: { name: "create-experiment", description: "Create an experiment: runs/, data/, config/, prompts/" },
  args: {
    name: { type: "positional", required: true, description: "The experiment's name", valueHint: "name" },
    ...projectRootArg,
    force: { type: "boolean", description: "Overwrite the starter config and prompt if they exist" },
    ...jsonArg,
    ...debugArg,
  },
  run({ args }) {
    const name = validateName(args.name, "experiment name");
    const project = Project.find(process.cwd(), args["project-root"]);
    const existed = Experiment.exists(project.root, name);
    const exp = new Experiment(project, name, { create: !existed || args.force });
    const where = relative(process.cwd(), exp.dir) || ".";
    if (existed && !args.force) {
      if (args.json) return out(JSON.stringify({ experiment: name, dir: exp.dir, created: false, written: [] }, null, 2));
      return logger.info(`experiment "${name}" already exists in ${where}: nothing changed`);
    }
    const { written } = writeTemplates(exp.dir, experimentTemplates(name), { force: args.force });
    if (args.json) return out(JSON.stringify({ experiment: name, dir: exp.dir, created: !existed, written }, null, 2));
    logger.success(`${existed ? "rewrote the starter files of" : "created"} experiment "${name}" in ${where}`);
    logger.info(`next: \`scryptorum run ${name} --script <file>\` (or --module <file>)`);
  },
});
