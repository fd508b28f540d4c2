/**
 * The npm library build under Node 20: ESM and CJS entries, types present, a run written.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { build, BINARY } from "../../scripts/build";
import { readLines, tempDir } from "../helpers/project";

const LIB = join(import.meta.dir, "../../dist/lib");
const CLI = join(import.meta.dir, "../../dist/cli.mjs");

// Node is required (the Quick start runs on it): no skipping when it is missing.
describe("library under Node", () => {
  beforeAll(async () => {
    await build();
  }, 300_000);

  test("package.json exports types, import and require", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dir, "../../package.json"), "utf8"));
    expect(pkg.exports["."]).toMatchObject({ types: "./dist/lib/index.d.ts", import: "./dist/lib/index.mjs", require: "./dist/lib/index.cjs" });
    expect(pkg.engines).toMatchObject({ node: ">=20", bun: ">=1.4" });
    for (const f of ["index.mjs", "index.cjs", "index.d.ts"]) expect(existsSync(join(LIB, f))).toBe(true);
    expect(readFileSync(join(LIB, "index.d.ts"), "utf8")).toContain("experiment");
  });

  test.each([
    ["ESM", "t.mjs", `import { experiment, timer, llmCall, Project, Experiment } from ${JSON.stringify(join(LIB, "index.mjs"))};`],
    ["CJS", "t.cjs", `const { experiment, timer, llmCall, Project, Experiment } = require(${JSON.stringify(join(LIB, "index.cjs"))});`],
  ])("%s: a wrapped experiment writes a finished run", (_kind, file, importLine) => {
    const dir = tempDir();
    writeFileSync(
      join(dir, file),
      `${importLine}
const p = Project.init(${JSON.stringify(dir)}, { name: "nodeproj", gitignore: false });
const add = timer("add")((a, b) => a + b);
const ask = llmCall("gpt-4o")(async (q) => ({ usage: { prompt_tokens: 3, completion_tokens: 1 } }));
const main = experiment({ name: "fromnode", projectRoot: p.root })(async () => { await ask("hi"); return add(1, 2); });
main().then((r) => {
  const runs = new Experiment(p.root, "fromnode").listRuns();
  console.log(JSON.stringify({ r, status: runs[0].status, version: process.version }));
});
`,
    );
    const out = spawnSync("node", [join(dir, file)], { encoding: "utf8", cwd: dir });
    expect(out.stderr).toBe("");
    const result = JSON.parse(out.stdout);
    expect(result).toMatchObject({ r: 3, status: "finished" });
    expect(result.version).toMatch(/^v(2\d|[3-9]\d)\./);
    const timings = readFileSync(join(dir, "experiments/nodeproj/experiments/fromnode/runs/trial_run/timings.jsonl"), "utf8");
    expect(timings).toContain('"operation":"add"');
  });

  // The README's decorator sample through both commands, with and without
  // `experimentalDecorators`. The binary compiles per tsconfig (TC39 or legacy); the Node
  // command's jiti always compiles legacy and emits `Reflect.metadata?.(…) || ((t) => t)`
  // decorators, whose fallback handed the prototype on in place of the method's descriptor
  // ("decorate methods, not retrieve"). Under Node a legacy decorator of the user's below ours
  // (so it sees what the metadata decorators left) must get the descriptor too.
  const pipeline = (userDecorator: string) => `import { experiment, llmCall, metric, timer } from "scryptorum";
const seen: string[] = [];
function traced(_target: object, key: string, descriptor: PropertyDescriptor) {
  const fn = descriptor.value;
  descriptor.value = function (this: unknown, ...args: unknown[]) { seen.push(key); return fn.apply(this, args); };
  return descriptor;
}
class Pipeline {
  @timer("retrieve") ${userDecorator}async retrieve(q: string) { return [q]; }
  @llmCall("gpt-4o") async answer(prompt: string) { return { text: prompt, usage: { prompt_tokens: 10, completion_tokens: 2 } }; }
  @metric({ name: "f1", type: "f1" }) score() { return 0.82; }
}
export default experiment("pipe")(async () => {
  const p = new Pipeline();
  await p.answer((await p.retrieve("q"))[0]!);
  p.score();
  if (seen.length) console.error("traced:" + seen.join(","));
});
`;
  test.each([
    ["TC39 (no tsconfig)", undefined],
    ["experimentalDecorators", { compilerOptions: { experimentalDecorators: true, emitDecoratorMetadata: true } }],
  ])("CLI: the README's decorator sample runs under node dist/cli.mjs as under the binary (%s)", (_form, tsconfig) => {
    const dir = tempDir();
    if (tsconfig) writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    writeFileSync(join(dir, "pipeline.ts"), pipeline(""));
    writeFileSync(join(dir, "traced.ts"), pipeline("@traced "));
    expect(spawnSync(BINARY, ["init", "--project-name", "p"], { cwd: dir }).status).toBe(0);
    const runs = [
      ["binary", [BINARY], "pipeline.ts"],
      ["node", ["node", CLI], "pipeline.ts"],
      ...(tsconfig ? [["node", ["node", CLI], "traced.ts"] as const] : []),
    ] as const;
    for (const [which, cmd, file] of runs) {
      const run = spawnSync(cmd[0], [...cmd.slice(1), "run", "pipe", "-m", file, "--json"], { encoding: "utf8", cwd: dir });
      expect({ which, file, stderr: run.stderr.includes("error") ? run.stderr : "", code: run.status }).toEqual({ which, file, stderr: "", code: 0 });
      expect(run.stderr.includes("traced:retrieve")).toBe(file === "traced.ts");
      const summary = JSON.parse(run.stdout);
      expect(summary).toMatchObject({ status: "finished", metrics: { f1: 0.82 } });
      expect(readLines(join(summary.dir, "timings.jsonl")).map((t) => t.operation)).toEqual(["retrieve", "answer"]);
      const call = readLines(join(summary.dir, "run.jsonl")).find((e) => e.event_type === "llm_call");
      expect(call).toMatchObject({ model: "gpt-4o", input: "q", usage: { input_tokens: 10, output_tokens: 2 } });
    }
  });
});
