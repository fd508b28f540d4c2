import { existsSync } from "node:fs";
import { defineCommand } from "citty";
import { join, relative } from "pathe";
import { Project } from "../src/core/project";
import { UserError } from "../src/core/errors";
import { logger } from "../src/cli/log";
import { debugArg, jsonArg } from "./_shared";
import { out } from "../src/cli/output";

export default defineCommand({
  meta: { name: "init", description: "Set scryptorum up in this repository: .scryptorum and the project root" },
  args: {
    "experiments-dir": {
      type: "string",
      description: "Where runs are kept, relative to this folder (default: ./experiments)",
      valueHint: "path",
    },
    "project-name": {
      type: "string",
      description: "The project's name (default: package.json's name, else this folder's name)",
      valueHint: "name",
    },
    gitignore: {
      type: "boolean",
      default: true,
      description: "Add the experiments directory to .gitignore inside a git work tree",
      negativeDescription: "Leave .gitignore alone",
    },
    force: { type: "boolean", description: "Replace a .scryptorum that points elsewhere" },
    ...jsonArg,
    ...debugArg,
  },
  run({ args }) {
    const cwd = process.cwd();
    if (args["experiments-dir"] === "") throw new UserError("--experiments-dir is empty: give a folder, like ./experiments");
    const anchor = join(cwd, ".scryptorum");
    const had = existsSync(anchor);
    const project = Project.init(cwd, {
      name: args["project-name"],
      experimentsDir: args["experiments-dir"],
      gitignore: args.gitignore,
      force: args.force,
    });
    const where = relative(cwd, project.root) || ".";
    if (args.json) return out(JSON.stringify({ project: project.name, root: project.root, anchor, created: !had || !!args.force }, null, 2));
    if (had && !args.force) logger.info(`already set up: .scryptorum points at project "${project.name}" in ${where}`);
    else logger.success(`set up project "${project.name}": runs go to ${where}`);
    logger.info("next: `scryptorum create-experiment <name>`, then `scryptorum run <name> --script <file>`");
  },
});
