/** The root command; subcommands load lazily, with literal paths so the bundler keeps them. */
import { defineCommand } from "citty";
import { VERSION } from "../src/version";

export const main = defineCommand({
  meta: {
    name: "scryptorum",
    version: VERSION,
    description: "Local-first tracking for LLM experiments: runs as plain JSONL files",
  },
  subCommands: {
    init: () => import("./init").then((m) => m.default),
    "create-project": () => import("./create-project").then((m) => m.default),
    "create-experiment": () => import("./create-experiment").then((m) => m.default),
    "list-experiments": () => import("./list-experiments").then((m) => m.default),
    "list-runs": () => import("./list-runs").then((m) => m.default),
    run: () => import("./run").then((m) => m.default),
    show: () => import("./show").then((m) => m.default),
    compare: () => import("./compare").then((m) => m.default),
    diff: () => import("./diff").then((m) => m.default),
    check: () => import("./check").then((m) => m.default),
    export: () => import("./export").then((m) => m.default),
    serve: () => import("./serve").then((m) => m.default),
    report: () => import("./report").then((m) => m.default),
  },
});
