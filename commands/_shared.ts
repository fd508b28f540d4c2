/** Arguments shared by several commands; spread them into a command's `args`. */
import type { ArgsDef } from "citty";

export const projectRootArg = {
  "project-root": {
    type: "string",
    description: "The project root (the folder holding project.json); default: found from the working directory",
    valueHint: "path",
  },
} as const satisfies ArgsDef;

export const jsonArg = {
  json: { type: "boolean", description: "Print JSON on stdout (stable, for scripts and CI)" },
} as const satisfies ArgsDef;

export const debugArg = {
  debug: { type: "boolean", description: "Show stack traces of errors" },
} as const satisfies ArgsDef;

export const sharedArgs = { ...projectRootArg, ...jsonArg, ...debugArg } as const satisfies ArgsDef;
