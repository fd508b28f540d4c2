import { defineCommand } from "citty";
import { cacheStats, clearCache } from "../src/cache";
import { formatCacheStats, formatCleared } from "../src/cache/format";
import { Project } from "../src/core/project";
import { out, outJson } from "../src/cli/output";
import { sharedArgs } from "./_shared";

const stats = defineCommand({
  meta: { name: "stats", description: "Count the cached LLM responses, per provider" },
  args: { ...sharedArgs },
  run({ args }) {
    const result = cacheStats(Project.find(process.cwd(), args["project-root"]).root);
    if (args.json) return outJson(result);
    out(formatCacheStats(result).join("\n"));
  },
});

const clear = defineCommand({
  meta: { name: "clear", description: "Delete every cached LLM response of the project" },
  args: { ...sharedArgs },
  run({ args }) {
    const result = clearCache(Project.find(process.cwd(), args["project-root"]).root);
    if (args.json) return outJson({ ...result, removed: result.entries });
    out(formatCleared(result));
  },
});

export default defineCommand({
  meta: {
    name: "cache",
    description: "The response cache that SCRYPTORUM_CACHE=1 fills (in the project's cache/ folder): stats, clear",
  },
  subCommands: { stats, clear },
});
