/**
 * The npm library build under Node 20: ESM and CJS entries, types present, a run written.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { build } from "../../scripts/build";
import { tempDir } from "../helpers/project";

const LIB = join(import.meta.dir, "../../dist/lib");
const node = spawnSync("node", ["--version"], { encoding: "utf8" });

describe.skipIf(node.status !== 0)("library under Node", () => {
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
});
