/**
 * Prompt versions through the compiled binary: a prompt edited between two runs shows as
 * two versions in `scryptorum prompts` and in `diff`, and every llm_call and case_result
 * names the version that produced it.
 */
import { beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bin, ensureBinary, tempDir, writeFiles } from "../helpers/cli";

beforeAll(async () => {
  await ensureBinary();
});

const jsonl = (path: string): any[] => readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));

test("a prompt edited between two runs: two versions in `prompts` and in `diff`, each llm_call names its version", async () => {
  const dir = tempDir("scry-prompts-");
  expect((await bin(["init", "--project-name", "pv"], { cwd: dir })).code).toBe(0);
  const exp = join(dir, "experiments", "pv", "experiments", "qa");
  const rows = Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: `q${i}`, input: { a: i }, expected: String(i + 1) }));
  writeFiles(exp, { "data/qa.jsonl": `${rows.join("\n")}\n`, "prompts/ask.md": "What is {{a}} plus one?\n" });
  writeFiles(dir, {
    "eval.ts": `import { dataset, evaluate, exactMatch, llmCall, prompt } from "scryptorum";
// A stand-in model: answers the number in the prompt plus one.
const model = llmCall("stand-in")(async (text: string) => String(Number(/\\d+/.exec(text)![0]) + 1));
export default async function main() {
  const ask = prompt("ask");
  await evaluate({ data: dataset("qa"), task: (input: { a: number }) => model(ask.render(input)), scores: { exact: exactMatch() }, concurrency: 4 });
}
`,
  });
  const first = await bin(["run", "qa", "-m", "eval.ts", "--milestone", "--run-id", "v1"], { cwd: dir });
  expect(first.code).toBe(0);
  writeFileSync(join(exp, "prompts", "ask.md"), "Add one to {{a}}. Reply with the number only.\n");
  const second = await bin(["run", "qa", "-m", "eval.ts", "--milestone", "--run-id", "v2"], { cwd: dir });
  expect(second.code).toBe(0);

  const events = jsonl(join(exp, "runs", "v1", "run.jsonl"));
  const versions = events.filter((e) => e.event_type === "prompt_version");
  expect(versions).toHaveLength(1);
  expect(versions[0]).toMatchObject({ name: "ask", file: "prompts/ask.md", text: "What is {{a}} plus one?\n" });
  const v1 = versions[0].version as string;
  expect(v1).toMatch(/^[0-9a-f]{12}$/);
  const calls = events.filter((e) => e.event_type === "llm_call");
  expect(calls).toHaveLength(20);
  for (const c of calls) expect(c.prompts).toEqual([{ name: "ask", version: v1 }]);
  for (const r of events.filter((e) => e.event_type === "case_result")) expect(r.prompts).toEqual({ ask: v1 });

  const listed = await bin(["prompts", "qa", "--json"], { cwd: dir });
  expect(listed.code).toBe(0);
  const prompts = JSON.parse(listed.stdout);
  expect(prompts).toHaveLength(1);
  expect(prompts[0].name).toBe("ask");
  expect(prompts[0].versions).toHaveLength(2);
  const [a, b] = prompts[0].versions;
  expect(a).toMatchObject({ version: v1, file: "prompts/ask.md", text: "What is {{a}} plus one?\n", runs: [{ run_id: "v1", llm_calls: 20, cases: 20 }] });
  expect(b.version).not.toBe(v1);
  expect(b).toMatchObject({ text: "Add one to {{a}}. Reply with the number only.\n", runs: [{ run_id: "v2", llm_calls: 20, cases: 20 }] });

  const text = await bin(["prompts", "qa"], { cwd: dir });
  expect(text.code).toBe(0);
  expect(text.stdout).toContain("ask  2 versions");
  expect(text.stdout).toMatch(new RegExp(`${v1}  prompts/ask.md  \\S+ \\S+  v1 \\(20 calls\\)`));
  expect(text.stdout).toContain(`${b.version}  prompts/ask.md`);

  const diff = await bin(["diff", "qa", "v1", "v2", "--json"], { cwd: dir });
  expect(diff.code).toBe(0);
  const d = JSON.parse(diff.stdout);
  expect(d.prompt_versions).toEqual([
    {
      name: "ask",
      a: [v1],
      b: [b.version],
      status: "changed",
      diff: `--- a/v1/ask@${v1}\n+++ b/v2/ask@${b.version}\n@@ -1 +1 @@\n-What is {{a}} plus one?\n+Add one to {{a}}. Reply with the number only.\n`,
    },
  ]);
  const plain = await bin(["diff", "qa", "v1", "v2"], { cwd: dir });
  expect(plain.code).toBe(0);
  expect(plain.stdout).toContain(`PROMPT VERSIONS\n  ask  ${v1} → ${b.version}`);
  expect(plain.stdout).toContain("+Add one to {{a}}. Reply with the number only.");

  // An experiment without renders says so; an unknown experiment is a usage error.
  const none = await bin(["prompts", "nope"], { cwd: dir });
  expect(none.code).toBe(2);
  expect(none.stderr).toContain('experiment "nope" does not exist');
}, 120_000);
