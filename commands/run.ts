import { defineCommand } from "citty";
import type { DispatchData } from "../src/cli/dispatch";
import { splitAtDashDash } from "../src/cli/argv";
import { sharedArgs } from "./_shared";

export default defineCommand({
  meta: {
    name: "run",
    description: "Run your code inside a new run of an experiment: a trial, or a kept milestone",
  },
  args: {
    experiment: { type: "positional", required: true, description: "The experiment's name (created if it does not exist)", valueHint: "name" },
    module: {
      type: "string",
      alias: "m",
      description: "A file or package to import; runs its #Export, else its default export, else its only experiment",
      valueHint: "file|package[#Export]",
    },
    script: { type: "string", alias: "s", description: "A file to execute inside the run", valueHint: "file" },
    milestone: { type: "boolean", description: "Make a milestone run (kept, with a code snapshot) instead of a trial" },
    "run-id": { type: "string", description: "The milestone's id (default: ms-YYYYMMDD-HHMMSS)", valueHint: "id" },
    config: { type: "string", description: "A JSON file merged over the experiment's config/config.json and the wrapper's config", valueHint: "file" },
    otlp: { type: "boolean", description: "Send the run live to an OpenTelemetry collector (OTEL_EXPORTER_OTLP_*, or \"otlp\" in .scryptorum)" },
    resume: { type: "string", description: "Reopen this run (milestone or trial_run) and run only the eval cases without a result in it", valueHint: "run-id" },
    force: { type: "boolean", description: "With --resume: resume even though the dataset, prompts or scorers changed" },
    "max-cost-usd": { type: "string", description: "Budget of evaluate() in US dollars, over the code's maxCostUsd (a higher cap to resume a run stopped at its budget)", valueHint: "usd" },
    push: { type: "string", description: "Push the milestone to a team bucket while it runs and at its end (default remote: the only one; or \"push\" in .scryptorum)", valueHint: "remote", optionalValue: true } as const,
    attach: { type: "string", description: "Join a run of the team bucket as one more writer (pulled first, pushed while it runs)", valueHint: "remote:experiment/run-id" },
    cache: { type: "boolean", description: "Answer repeated LLM requests from the project's cache/ (same as SCRYPTORUM_CACHE=1)" },
    ...sharedArgs,
  },
  async run({ args, data, rawArgs }) {
    // Loaded here, not at the top: `--help` need not load the library and the loader.
    const { runExperiment } = await import("../src/cli/run");
    await runExperiment({
      experiment: args.experiment,
      module: args.module,
      script: args.script,
      milestone: args.milestone,
      runId: args["run-id"],
      config: args.config,
      projectRoot: args["project-root"],
      otlp: args.otlp,
      resume: args.resume,
      force: args.force,
      maxCostUsd: args["max-cost-usd"],
      push: args.push,
      attach: args.attach,
      cache: args.cache,
      json: args.json,
      userArgs: (data as DispatchData | undefined)?.rest ?? splitAtDashDash(rawArgs).rest,
    });
  },
});
