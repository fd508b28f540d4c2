import { defineCommand } from "citty";
import { join, relative } from "pathe";
import { Experiment } from "../src/core/experiment";
import { Project } from "../src/core/project";
import { validateName } from "../src/core/validate";
import { writeTemplates } from "../src/scaffold";
import { EXPERIMENT_TEMPLATES, evalTemplates, experimentTemplates } from "../templates/index";
import { UserError } from "../src/core/errors";
import { logger } from "../src/cli/log";
import { debugArg, jsonArg, projectRootArg } from "./_shared";
import { out } from "../src/cli/output";

export default defineCommand({
  meta: { name: "create-experiment", description: "Create an experiment: runs/, data/, config/, prompts/" },
  args: {
    name: { type: "positional", required: true, description: "The experiment's name", valueHint: "name" },
    ...projectRootArg,
    force: { type: "boolean", description: "Overwrite the starter config and prompt if they exist" },
    template: { type: "string", description: "Also scaffold a ready-to-run kind of experiment: eval (a dataset, a prompt and an evaluation module)", valueHint: "eval" },
    ...jsonArg,
    ...debugArg,
  },
  run({ args }) {
    const name = validateName(args.name, "experiment name");
    if (args.template !== undefined && !(EXPERIMENT_TEMPLATES as readonly string[]).includes(args.template)) {
      throw new UserError(`--template ${args.template} is not a template: use --template ${EXPERIMENT_TEMPLATES.join(" or ")}`);
    }
    const project = Project.find(process.cwd(), args["project-root"]);
    const existed = Experiment.exists(project.root, name);
    const exp = new Experiment(project, name, { create: !existed || args.force });
    const where = relative(process.cwd(), exp.dir) || ".";
    if (existed && !args.force) {
      if (args.json) return out(JSON.stringify({ experiment: name, dir: exp.dir, created: false, written: [] }, null, 2));
      return logger.info(`experiment "${name}" already exists in ${where}: nothing changed`);
    }
    const { written } = writeTemplates(exp.dir, experimentTemplates(name), { force: args.force });
    // The evaluation module goes into the user's source tree (the folder holding .scryptorum,
    // else the working directory), where milestones snapshot it with the rest of the code.
    const sourceRoot = project.anchorDir ?? process.cwd();
    const modulePath = `evals/${name}.ts`;
    if (args.template === "eval") {
      const t = evalTemplates(name, modulePath);
      written.push(...writeTemplates(exp.dir, t.experiment, { force: args.force }).written, ...writeTemplates(sourceRoot, t.source, { force: args.force }).written);
    }
    if (args.json) return out(JSON.stringify({ experiment: name, dir: exp.dir, created: !existed, written }, null, 2));
    logger.success(`${existed ? "rewrote the starter files of" : "created"} experiment "${name}" in ${where}`);
    if (args.template === "eval") {
      const module = relative(process.cwd(), join(sourceRoot, modulePath));
      logger.info(`next: \`scryptorum run ${name} -m ${module}\` (offline stand-in model; set OPENAI_API_KEY for a real one)`);
    } else logger.info(`next: \`scryptorum run ${name} --script <file>\` (or --module <file>)`);
  },
});
