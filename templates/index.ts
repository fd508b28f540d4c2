/**
 * What the scaffolding commands write, as `{ path, contents }` (paths relative to the folder
 * being scaffolded). The sources are text files embedded in the binary at build time.
 * project.json and experiment.json are the core's to write (Project, Experiment).
 */
import exampleExperiment from "./example_experiment.ts.txt" with { type: "text" };
import experimentConfig from "./config.json.txt" with { type: "text" };
import systemPrompt from "./system.md.txt" with { type: "text" };

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
