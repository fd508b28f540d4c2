import { defineCommand } from "citty";
import { sharedArgs } from "./_shared";

export default defineCommand({
  meta: {
    name: "rescore",
    description: "Score a finished eval run's stored outputs with new or changed scorers into a new run, without calling the task's model",
  },
  args: {
    experiment: { type: "positional", required: true, description: "The experiment's name", valueHint: "name" },
    run: { type: "positional", required: true, description: "The run whose case_result outputs to score", valueHint: "run" },
    module: { type: "string", alias: "m", description: "A file exporting the scorers: scores = { name: scorer } (or a default export of them)", valueHint: "file" },
    milestone: { type: "boolean", description: "Make the new run a milestone (kept, with a code snapshot) instead of a trial" },
    "run-id": { type: "string", description: "The milestone's id (default: ms-YYYYMMDD-HHMMSS)", valueHint: "id" },
    concurrency: { type: "string", description: "Cases scored at once (default 16)", valueHint: "n" },
    cache: { type: "boolean", description: "Answer repeated judge requests from the project's cache/ (same as SCRYPTORUM_CACHE=1)" },
    ...sharedArgs,
  },
  async run({ args }) {
    // Loaded here, not at the top: `--help` need not load the library and the loader.
    const { executeRescore } = await import("../src/cli/rescore");
    const { formatRunSummary } = await import("../src/cli/format");
    const { out, outJson } = await import("../src/cli/output");
    const { ExperimentFailed, UserError } = await import("../src/core/errors");
    const { describeThrown } = await import("../src/cli/errors");
    const concurrency = args.concurrency === undefined ? undefined : Number(args.concurrency);
    if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) throw new UserError(`--concurrency ${args.concurrency}: give a whole number above 0`);
    if (args.cache) process.env.SCRYPTORUM_CACHE = "1";
    const { summary, from, error } = await executeRescore({
      experiment: args.experiment,
      run: args.run,
      module: args.module!,
      milestone: args.milestone,
      runId: args["run-id"],
      projectRoot: args["project-root"],
      concurrency,
    });
    const failure = error !== undefined ? { error: { name: (error as Error)?.name ?? "Error", message: (error as Error)?.message ?? String(error) } } : {};
    if (args.json) outJson({ ...summary, rescored_from: from, ...failure });
    else out([...formatRunSummary(summary), `from:    ${from}`].join("\n"));
    if (error !== undefined) throw new ExperimentFailed(`rescore of ${from} failed: ${describeThrown(error)}`, `${summary.dir}/run.json`, { cause: error });
  },
});
