/**
 * What the scaffolding commands write, as `{ path, contents }` (paths relative to the folder
 * being scaffolded). The sources are text files embedded in the binary at build time.
 * project.json and experiment.json are the core's to write (Project, Experiment).
 */
import exampleExperiment from "./example_experiment.ts.txt" with { type: "text" };
import experimentConfig from "./config.json.txt" with { type: "text" };
import systemPrompt from "./system.md.txt" with { type: "text" };
import evalCases from "./eval/cases.jsonl.txt" with { type: "text" };
import evalPrompt from "./eval/classify.md.txt" with { type: "text" };
import evalModule from "./eval/eval.ts.txt" with { type: "text" };

export interface TemplateFile {
  /** Relative to the folder being scaffolded, with "/" separators. */
  path: string;
  contents: string;
}

/** Files `create-project` adds to a project root: a runnable example experiment. */
export function projectTemplates(): TemplateFile[] {
  return [{ path: "examples/example_experiment.ts", contents: exampleExperiment }];
}

/** Files `create-experiment` adds to an experiment folder: a starter config and system prompt. */
export function experimentTemplates(name: string): TemplateFile[] {
  return [
    { path: "config/config.json", contents: experimentConfig },
    { path: "prompts/system.md", contents: systemPrompt.replaceAll("{{name}}", name) },
  ];
}

/** The templates `create-experiment --template` knows. */
export const EXPERIMENT_TEMPLATES = ["eval"] as const;
export type ExperimentTemplate = (typeof EXPERIMENT_TEMPLATES)[number];

/**
 * `create-experiment <name> --template eval`: a dataset and a prompt for the experiment
 * folder, and the evaluation module for the user's source tree (at `modulePath`, relative
 * to that tree, so milestones snapshot it with the rest of the code).
 */
export function evalTemplates(name: string, modulePath: string): { experiment: TemplateFile[]; source: TemplateFile[] } {
  return {
    experiment: [
      { path: `data/${name}.jsonl`, contents: evalCases },
      { path: "prompts/classify.md", contents: evalPrompt },
    ],
    source: [{ path: modulePath, contents: evalModule.replaceAll("__NAME__", name).replaceAll("__MODULE__", modulePath) }],
  };
}
