import { defineCommand } from "citty";
import { Project } from "../src/core/project";
import { getRemote } from "../src/remote/config";
import { pull } from "../src/remote/pull";
import { parseRuns } from "../src/remote/select";
import { pullSummary, ttyProgress } from "../src/remote/summary";
import { errLine, outJson } from "../src/cli/output";
import { validateName } from "../src/core/validate";
import { sharedArgs } from "./_shared";

export default defineCommand({
  meta: { name: "pull", description: "Pull runs from a team bucket into ordinary local runs, every writer merged, every blob checked" },
  args: {
    experiment: { type: "positional", required: false, description: "The experiment (default: every one in the bucket)", valueHint: "name" },
    remote: { type: "string", description: "The remote (default: the only one)", valueHint: "name" },
    runs: { type: "string", description: "Only these runs, comma-separated", valueHint: "id,…" },
    ...sharedArgs,
  },
  async run({ args }) {
    const project = Project.find(process.cwd(), args["project-root"]);
    const remote = getRemote(project, args.remote);
    if (args.experiment) validateName(args.experiment, "experiment name");
    const result = await pull(project, remote, { experiment: args.experiment, runs: parseRuns(args.runs) }, ttyProgress("pull", args.json));
    for (const r of result.runs) if (r.reason) errLine(`skipped: ${r.reason}`);
    if (args.json) return outJson(result);
    errLine(pullSummary(result));
  },
});
