/**
 * The same 1,000-case eval through scryptorum and promptfoo, each from its own CLI: the
 * prompt `{{q}}` sent to an echo "model" (promptfoo's `echo` provider; a task returning the
 * rendered prompt in scryptorum), scored by an exact-equality check (promptfoo's `equals`
 * assertion; `exactMatch()`), 16 cases at once, results stored (promptfoo's database;
 * scryptorum's run). Wall time and peak memory (the process's max RSS) per run, rounds
 * interleaved, medians.
 */
import { spawnSync } from "bun";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { quietEnv } from "./env";
import { median } from "./rounds";
import type { Row } from "./report";
import type { Command } from "./startup";

const CASES = 1_000;
const CONCURRENCY = 16;

export interface EvalPeerResult {
  rows: Row[];
  na: { name: string; reason: string }[];
}

interface Measured {
  ms: number[];
  mb: number[];
}

function once(argv: string[], cwd: string, env: Record<string, string>): { ms: number; mb: number } {
  const t0 = performance.now();
  const r = spawnSync(argv, { cwd, env, stdout: "pipe", stderr: "pipe" });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`${argv.slice(0, 3).join(" ")} exited ${r.exitCode}: ${r.stderr.toString().trim().slice(-400)}`);
  // Bun reports maxRSS in bytes on Linux.
  return { ms, mb: (r.resourceUsage?.maxRSS ?? 0) / 1e6 };
}

/** Sets up both evals in a temp folder; returns the commands, or why one cannot run. */
function setUp(dir: string, scryptorum: string, promptfoo: Command): { scry: string[]; pf?: string[]; env: Record<string, string> } {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...quietEnv(), PROMPTFOO_CONFIG_DIR: join(dir, "promptfoo-home") };
  const ids = Array.from({ length: CASES }, (_, i) => i);
  // scryptorum: a project, a dataset, an eval module.
  const proj = join(dir, "scry");
  mkdirSync(proj, { recursive: true });
  for (const args of [["init", "--no-gitignore", "--project-name", "peers"], ["create-experiment", "qa"]]) {
    const r = spawnSync([scryptorum, ...args], { cwd: proj, env, stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`scryptorum ${args[0]} failed: ${r.stderr.toString()}`);
  }
  writeFileSync(join(proj, "experiments/peers/experiments/qa/data/qa.jsonl"), ids.map((i) => JSON.stringify({ id: `c${i}`, input: { q: `answer ${i}` }, expected: `answer ${i}` })).join("\n") + "\n");
  writeFileSync(join(proj, "experiments/peers/experiments/qa/prompts/ask.txt"), "{{q}}");
  writeFileSync(
    join(proj, "eval.ts"),
    `import { dataset, evaluate, exactMatch, prompt } from "scryptorum";
export default async function main() {
  const ask = prompt("ask");
  const { summary } = await evaluate({ data: dataset("qa"), task: async (input) => ask.render(input), scores: { equals: exactMatch() }, concurrency: ${CONCURRENCY} });
  if (summary.scores.equals.mean !== 1 || summary.ran !== ${CASES}) throw new Error("not every case passed");
}
`,
  );
  // promptfoo: the same cases as tests of one prompt, its echo provider, an equals assertion.
  const pf = join(dir, "pf");
  mkdirSync(pf, { recursive: true });
  const tests = ids.map((i) => `  - vars: { q: "answer ${i}" }\n    assert: [{ type: equals, value: "answer ${i}" }]`).join("\n");
  writeFileSync(join(pf, "promptfooconfig.yaml"), `description: peers\nprompts: ["{{q}}"]\nproviders: [echo]\ntests:\n${tests}\n`);
  return {
    scry: [scryptorum, "run", "qa", "-m", "eval.ts"],
    pf: promptfoo.na ? undefined : [...promptfoo.argv.slice(0, 2), "eval", "-c", "promptfooconfig.yaml", "--max-concurrency", String(CONCURRENCY), "--no-table", "--no-progress-bar", "--no-cache"],
    env,
  };
}

/**
 * Runs both evals `rounds` times, interleaved (after one warm-up each).
 *
 * @example
 * const { rows } = benchEvalPeers(5, "/repo/dist/scryptorum", promptfooCommand());
 */
export function benchEvalPeers(rounds: number, scryptorum: string, promptfoo: Command): EvalPeerResult {
  const dir = mkdtempSync(join(tmpdir(), "scry-peers-eval-"));
  const na: { name: string; reason: string }[] = [];
  const measure = "eval of 1,000 cases (echo model, equals), concurrency 16, through the CLI";
  try {
    const { scry, pf, env } = setUp(dir, scryptorum, promptfoo);
    if (!pf) na.push({ name: "promptfoo eval", reason: promptfoo.na ?? "promptfoo is not installed" });
    const got: Record<"scry" | "pf", Measured> = { scry: { ms: [], mb: [] }, pf: { ms: [], mb: [] } };
    const cmds = { scry: { argv: scry, cwd: join(dir, "scry") }, pf: pf ? { argv: pf, cwd: join(dir, "pf") } : undefined };
    for (let r = 0; r < rounds + 1; r++) {
      for (const k of ["scry", "pf"] as const) {
        const c = cmds[k];
        if (!c) continue;
        try {
          const m = once(c.argv, c.cwd, env);
          if (r > 0) {
            got[k].ms.push(m.ms);
            got[k].mb.push(m.mb);
          }
        } catch (error) {
          if (k === "scry") throw error;
          na.push({ name: "promptfoo eval", reason: (error as Error).message });
          cmds.pf = undefined;
        }
      }
    }
    // The last promptfoo run must have passed every case, as scryptorum's checks its own.
    if (cmds.pf) {
      const out = join(dir, "pf", "out.json");
      spawnSync([...cmds.pf.argv, "--output", out], { cwd: cmds.pf.cwd, env, stdout: "pipe", stderr: "pipe" });
      const stats = (JSON.parse(readFileSync(out, "utf8")) as { results?: { stats?: { successes?: number } } }).results?.stats;
      if (stats?.successes !== CASES) na.push({ name: "promptfoo eval", reason: `passed ${stats?.successes} of ${CASES} cases` });
    }
    const has = cmds.pf !== undefined && got.pf.ms.length > 0;
    return {
      rows: [
        { measure: `${measure}, wall time`, peer: "promptfoo eval", unit: "ms", peerValue: has ? median(got.pf.ms) : undefined, scryValue: median(got.scry.ms), na: has ? undefined : "see n/a" },
        { measure: `${measure}, peak memory (max RSS)`, peer: "promptfoo eval", unit: "MB", peerValue: has ? median(got.pf.mb) : undefined, scryValue: median(got.scry.mb), na: has ? undefined : "see n/a" },
      ],
      na,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
