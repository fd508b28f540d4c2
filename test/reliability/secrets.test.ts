/**
 * Secrets: canary values in .env, the environment, argv, a git remote and a config URL
 * appear nowhere under the run folder.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Experiment, Project } from "../../src/index";
import { tempDir } from "../helpers/project";

const CANARIES = {
  env: "CANARY_DOTENV_7f3a",
  openai: "CANARY_OPENAI_91bc",
  aws: "CANARY_AWS_44de",
  argv: "CANARY_ARGV_0a1b",
  remote: "CANARY_REMOTE_55aa",
  url: "CANARY_URLPASS_e9e9",
  nested: "CANARY_NESTED_YAML_31c2",
  committed: "CANARY_COMMITTED_77d0",
  tracked: "CANARY_TRACKED_CFG_a4f1",
  block: "CANARY_BLOCK_9e0d",
  properties: "CANARY_PROPS_12ab",
  pin: "918273645501",
};

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true })) {
    const path = join(dir, String(entry));
    if (statSync(path).isFile()) out.push(path);
  }
  return out;
}

describe("secrets", () => {
  test("no canary appears anywhere under a milestone run folder", () => {
    const dir = tempDir();
    const git = (...args: string[]) => spawnSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...args], { cwd: dir, encoding: "utf8" });
    git("init", "-q");
    writeFileSync(join(dir, ".env"), `OPENAI_API_KEY=${CANARIES.env}\n`);
    writeFileSync(join(dir, "main.ts"), "export const x = 1;\n");
    writeFileSync(join(dir, "conf.yaml"), `openai:\n  api_key: ${CANARIES.committed}\nmodel: a\n`);
    git("add", "main.ts", "conf.yaml");
    git("commit", "-qm", "init");
    // A tracked config file whose secret changed: git.diff must show neither value.
    writeFileSync(join(dir, "conf.yaml"), `openai:\n  api_key: ${CANARIES.tracked}\nmodel: b\n`);
    git("remote", "add", "origin", `https://user:${CANARIES.remote}@example.com/repo.git`);
    writeFileSync(join(dir, "main.ts"), "export const x = 2;\n"); // dirty: git.diff is written
    const project = Project.init(dir, { name: "sec" });
    const exp = new Experiment(project, "leak");
    mkdirSync(join(exp.dir, "config"), { recursive: true });
    writeFileSync(join(exp.dir, "config", "settings.json"), JSON.stringify({ db: `postgres://admin:${CANARIES.url}@db/x`, max_tokens: 10, pin_password: Number(CANARIES.pin) }));
    writeFileSync(join(exp.dir, "config", "extra.yaml"), `anthropic:\n  api_key: ${CANARIES.nested}\ncert_key: |\n  ${CANARIES.block}\napi_keys:\n  - ${CANARIES.nested}\n`);
    writeFileSync(join(exp.dir, "config", "db.properties"), `db.password=${CANARIES.properties}\n`);
    const saved = { ...process.env };
    process.env.OPENAI_API_KEY = CANARIES.openai;
    process.env.AWS_SECRET_ACCESS_KEY = CANARIES.aws;
    try {
      const run = exp.createRun("milestone", "v1", {
        cwd: dir,
        argv: ["bun", "main.ts", `--api-key=${CANARIES.argv}`, "--token", CANARIES.argv],
        config: { endpoint: `https://u:${CANARIES.url}@api.example.com`, openai_api_key: CANARIES.openai },
      });
      run.logEvent("hello");
      run.finish();
      const files = filesUnder(run.dir);
      expect(files.some((f) => f.endsWith("git.diff"))).toBe(true);
      expect(files.some((f) => f.endsWith("environment.json"))).toBe(true);
      expect(files.some((f) => f.includes("code_snapshot/main.ts"))).toBe(true);
      for (const file of files) {
        const text = readFileSync(file, "latin1");
        for (const [name, canary] of Object.entries(CANARIES)) {
          if (text.includes(canary)) throw new Error(`canary ${name} leaked into ${file}`);
        }
      }
      const manifest = JSON.parse(readFileSync(join(run.dir, "snapshot_manifest.json"), "utf8"));
      expect(manifest.excluded.map((e: { path: string }) => e.path)).toContain(".env");
      expect(manifest.files.find((f: { path: string }) => f.path === "conf.yaml").redacted).toBe(true);
      expect(readFileSync(join(run.dir, "git.diff"), "utf8")).toContain("# conf.yaml: diff omitted (holds secrets)");
      expect(Bun.YAML.parse(readFileSync(join(run.dir, "config", "extra.yaml"), "utf8"))).toEqual({
        anthropic: { api_key: "[redacted]" }, cert_key: "[redacted]\n", api_keys: ["[redacted]"],
      });
    } finally {
      process.env = saved;
    }
  });
});
