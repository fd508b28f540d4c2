import { existsSync, statSync } from "node:fs";
import { defineCommand } from "citty";
import { join, relative, resolve } from "pathe";
import { Project } from "../src/core/project";
import { UserError } from "../src/core/errors";
import { projectFile } from "../src/core/layout";
import { validateName } from "../src/core/validate";
import { writeTemplates } from "../src/scaffold";
import { projectTemplates } from "../templates/index";
import { logger } from "../src/cli/log";
import { debugArg, jsonArg } from "./_shared";
import { out } from "../src/cli/output";

export default defineCommand({
  meta: { name: "create-project", description: "Create a standalone project folder with a runnable example" },
  args: {
    name: { type: "positional", required: true, description: "The project's name (also its folder's name)", valueHint: "name" },
    "parent-dir": { type: "string", description: "Folder to create it in (default: the working directory)", valueHint: "path" },
    force: { type: "boolean", description: "Overwrite the example file if it exists" },
    ...jsonArg,
    ...debugArg,
  },
  run({ args }) {
    const name = validateName(args.name, "project name");
    const parent = resolve(process.cwd(), args["parent-dir"] ?? ".");
    if (!existsSync(parent) || !statSync(parent).isDirectory()) {
      throw new UserError(`--parent-dir ${args["parent-dir"]}: no such folder (${parent}): create it first`);
    }
    const root = join(parent, name);
    if (existsSync(root) && !statSync(root).isDirectory()) throw new UserError(`${root} exists and is not a folder: choose another name`);
    const existed = existsSync(projectFile(root));
    Project.createRoot(root, name);
    const { written } = writeTemplates(root, projectTemplates(), { force: args.force });
    const where = relative(process.cwd(), root) || ".";
    if (args.json) return out(JSON.stringify({ project: name, root, created: !existed, written }, null, 2));
    if (existed && written.length === 0) return logger.info(`project "${name}" already exists in ${where}: nothing changed`);
    logger.success(`${existed ? "updated" : "created"} project "${name}" in ${where}`);
    logger.info(`try it: \`cd ${where} && scryptorum run example -m examples/example_experiment.ts\``);
  },
});
