import { defineCommand } from "citty";
import { Project } from "../src/core/project";
import { getRemote } from "../src/remote/config";
import { push } from "../src/remote/push";
import { parseRuns } from "../src/remote/select";
import { pushSummary, ttyProgress } from "../src/remote/summary";
import { errLine, outJson } from "../src/cli/output";
import { sharedArgs } from "./_shared";

export default defineCommand({
  meta: { name: "push", description: "Push milestones (or --runs) to a team bucket: only what is new, each machine its own objects" },
  args: {
    experiment: { type: "positional", required: false, description: "The experiment (default: every one)", valueHint: "name" },
    remote: { type: "string", description: "The remote (default: the only one)", valueHint: "name" },
    runs: { type: "string", description: "Only these runs, comma-separated (trials too)", valueHint: "id,…" },
    ...sharedArgs,
  },
  async run({ args }) {
    const project = Project.find(process.cwd(), args["project-root"]);
    const remote = getRemote(project, args.remote);
    const result = await push(project, remote, { experiment: args.experiment, runs: parseRuns(args.runs) }, ttyProgress("push", args.json));
    if (args.json) return outJson(result);
    errLine(pushSummary(result));
  },
});
