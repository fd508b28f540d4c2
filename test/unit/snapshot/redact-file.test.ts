/**
 * Secrets in config-like files on every path into a milestone: code_snapshot/, config/
 * and git.diff all go through one redaction (src/snapshot/redact-file.ts).
 */
import { describe, expect, test } from "bun:test";
import { fsGitHelpers } from "../../helpers/fs-git";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { dirname, join } from "pathe";
import { captureMilestone } from "../../../src/snapshot/index.ts";
import { isConfigLike, redactFile } from "../../../src/snapshot/redact-file.ts";

const { tmp, write, git, commitAll: commit } = fsGitHelpers("scry-snapsec");
const commitAll = (dir: string) => commit(dir, "fixture");

/** A project root outside the source tree, with one experiment, and a fresh milestone folder. */
function milestone(label: string, config: Record<string, string> = {}) {
  const projectRoot = tmp(`${label}-proj`);
  const experimentDir = join(projectRoot, "experiments", "exp");
  write(join(projectRoot, "project.json"), JSON.stringify({ format: 1, name: "proj" }));
  for (const [name, text] of Object.entries(config)) write(join(experimentDir, "config", name), text);
  const runDir = join(experimentDir, "runs", "ms-1");
  fs.mkdirSync(runDir, { recursive: true });
  return { projectRoot, experimentDir, runDir };
}

function assertNoCanary(dir: string): void {
  for (const entry of fs.readdirSync(dir, { recursive: true })) {
    const file = join(dir, String(entry));
    if (!fs.statSync(file).isFile()) continue;
    const text = fs.readFileSync(file, "latin1");
    if (text.includes("CANARY")) throw new Error(`a canary leaked into ${file}: ${text}`);
  }
}

describe("redactFile: one list of config-like formats", () => {
  test.each([
    ["settings.json", true], ["a.jsonc", true], ["b.JSON5", true], ["c.yaml", true], ["c.yml", true],
    ["d.toml", true], ["e.ini", true], ["f.cfg", true], ["g.conf", true], ["app.properties", true],
    ["prod.env", true], ["notes.txt", true], ["main.ts", false], ["README.md", false], ["data.csv", false],
  ])("isConfigLike(%p) is %p", (path, yes) => {
    expect(isConfigLike(path as string)).toBe(yes as boolean);
  });

  test.each([
    ["a.json", '{"api_key":"sk-CANARY","n":1}', '{\n  "api_key": "[redacted]",\n  "n": 1\n}\n'],
    ["a.jsonc", '{\n  // c\n  "api_key": "sk-CANARY",\n}\n', '{\n  // c\n  "api_key": "[redacted]",\n}\n'],
    ["a.json5", "{apiKey: 'sk-CANARY', max_tokens: 5}\n", '{apiKey: "[redacted]", max_tokens: 5}\n'],
    ["a.properties", "db.password=CANARY\nurl=x\n", 'db.password="[redacted]"\nurl=x\n'],
    ["a.txt", "token: CANARY\n", 'token: "[redacted]"\n'],
    ["a.json", "not json\napi_key: CANARY\n", 'not json\napi_key: "[redacted]"\n'],
  ])("%p is redacted", (path, input, out) => {
    expect(redactFile(path, Buffer.from(input))?.toString("utf8")).toBe(out);
  });

  test.each([
    ["a.json", '{"model":"m","max_tokens":5,"keywords":["x"]}'],
    ["a.yaml", "model: m\n"],
    ["a.ts", 'const api_key = "sk-not-a-config";\n'],
  ])("%p needing no change gives undefined (the caller keeps the bytes)", (path, input) => {
    expect(redactFile(path, Buffer.from(input))).toBeUndefined();
  });

  test("package.json: dependency names are package names, not settings; lockfiles only lose URL credentials", () => {
    const pkg = { name: "p", keywords: ["llm"], dependencies: { keytar: "^7", "js-tokens": "^4" }, devDependencies: { tiktoken: "^1" } };
    expect(redactFile("package.json", Buffer.from(JSON.stringify(pkg)))).toBeUndefined();
    const withSecrets = { ...pkg, dependencies: { keytar: "git+https://me:CANARY@host/k.git" }, config: { api_key: "CANARY" } };
    expect(JSON.parse(redactFile("web/package.json", Buffer.from(JSON.stringify(withSecrets)))!.toString("utf8"))).toEqual({
      ...pkg, dependencies: { keytar: "git+https://[redacted]@host/k.git" }, config: { api_key: "[redacted]" },
    });
    const lock = '{\n  "packages": {\n    "node_modules/keytar": { "resolved": "https://t:CANARY@r/k.tgz" },\n    "node_modules/js-tokens": {}\n  }\n}\n';
    expect(redactFile("package-lock.json", Buffer.from(lock))!.toString("utf8")).toBe(lock.replace("t:CANARY", "[redacted]"));
    expect(redactFile("package-lock.json", Buffer.from('{"packages": {"node_modules/keytar": {}}}'))).toBeUndefined();
  });

  test("bytes that are not UTF-8 survive on the lines redaction leaves alone", () => {
    const input = Buffer.concat([Buffer.from("name: caf"), Buffer.from([0xe9]), Buffer.from("\ntoken: CANARY\n")]);
    const out = redactFile("a.yaml", input)!;
    expect(out.subarray(0, 10)).toEqual(input.subarray(0, 10));
    expect(out.toString("latin1")).toBe('name: caf\u00e9\ntoken: "[redacted]"\n');
  });
});

describe("config-like files in a milestone", () => {
  test("code_snapshot/ and config/ redact the same formats; files without secrets stay byte for byte", () => {
    const src = tmp("formats");
    const files: Record<string, string> = {
      "app.properties": "db.password=CANARY1\nport=5432\n",
      "settings.jsonc": '{\n  // local\n  "token": "CANARY2"\n}\n',
      "model.json5": "{apiKey: 'CANARY3'}\n",
      "notes.txt": "api_key: CANARY4\n",
      "clean.json": '{"model":"m",  "max_tokens": 5}',
      "main.ts": 'export const apiKey = process.env.KEY;\n',
    };
    for (const [name, text] of Object.entries(files)) write(join(src, name), text);
    const ms = milestone("formats", files);
    captureMilestone({ ...ms, sourceRoot: src, version: "0" });
    assertNoCanary(ms.runDir);
    const manifest = JSON.parse(fs.readFileSync(join(ms.runDir, "snapshot_manifest.json"), "utf8"));
    const redacted = manifest.files.filter((f: { redacted?: true }) => f.redacted).map((f: { path: string }) => f.path);
    expect(redacted).toEqual(["app.properties", "model.json5", "notes.txt", "settings.jsonc"]);
    for (const kept of ["clean.json", "main.ts"]) {
      expect(fs.readFileSync(join(ms.runDir, "code_snapshot", kept), "utf8")).toBe(files[kept]!);
      expect(fs.readFileSync(join(ms.runDir, "config", kept), "utf8")).toBe(files[kept]!);
    }
    for (const name of redacted) {
      expect(fs.readFileSync(join(ms.runDir, "config", name), "utf8")).toBe(fs.readFileSync(join(ms.runDir, "code_snapshot", name), "utf8"));
    }
    expect(fs.readFileSync(join(ms.runDir, "config", "app.properties"), "utf8")).toBe('db.password="[redacted]"\nport=5432\n');
  });

  test("git.diff leaves out the diff of a config file holding a secret, and the rest still applies", () => {
    const src = tmp("diff");
    write(join(src, "settings.json"), JSON.stringify({ api_key: "sk-CANARY-OLD1", model: "a" }, null, 2));
    write(join(src, "conf", "conf.yaml"), "openai:\n  api_key: sk-CANARY-OLD2\nmodel: a\n");
    write(join(src, "was-secret.yaml"), "token: CANARY-OLD3\n");
    write(join(src, "gone.toml"), 'password = "CANARY-OLD4"\n');
    write(join(src, "package.json"), JSON.stringify({ name: "p", version: "1.0.0", keywords: ["a"] }, null, 2));
    write(join(src, "main.ts"), "export const x = 1;\n");
    write(join(src, ".gitignore"), "/experiments/\n");
    git(src, "init", "-q", "-b", "main");
    commitAll(src);
    write(join(src, "settings.json"), JSON.stringify({ api_key: "sk-CANARY-NEW1", model: "b" }, null, 2));
    write(join(src, "conf", "conf.yaml"), "openai:\n  api_key: sk-CANARY-NEW2\nmodel: b\n");
    write(join(src, "was-secret.yaml"), "model: b\n"); // the secret is only in the committed version
    fs.rmSync(join(src, "gone.toml"));
    write(join(src, "package.json"), JSON.stringify({ name: "p", version: "1.1.0", keywords: ["a"] }, null, 2));
    write(join(src, "main.ts"), "export const x = 2;\n");
    const ms = milestone("diff");
    const result = captureMilestone({ ...ms, sourceRoot: src, version: "0" });
    expect(result.git?.dirty).toBe(true);
    assertNoCanary(ms.runDir);
    const diff = fs.readFileSync(join(ms.runDir, "git.diff"), "utf8");
    expect(diff).toStartWith([
      "# conf/conf.yaml: diff omitted (holds secrets)",
      "# gone.toml: diff omitted (holds secrets)",
      "# settings.json: diff omitted (holds secrets)",
      "# was-secret.yaml: diff omitted (holds secrets)",
      "diff --git a/main.ts b/main.ts",
    ].join("\n"));
    expect(diff).toContain('+  "version": "1.1.0",');
    expect(diff).toContain("+export const x = 2;");
    // The other files' patch applies to the committed tree.
    const check = tmp("apply");
    git(src, "archive", "HEAD", "-o", join(check, "head.tar"));
    execFileSync("tar", ["-xf", "head.tar"], { cwd: check });
    git(check, "apply", "--check", join(ms.runDir, "git.diff"));
  });

  test("below the git top level, a config file's committed secret is still found", () => {
    const repo = tmp("diff-sub");
    write(join(repo, "pkg", "cfg.yaml"), "api_key: CANARY-OLD\n");
    write(join(repo, "pkg", "a.ts"), "a\n");
    write(join(repo, "pkg", "plain.yaml"), "model: a\n");
    git(repo, "init", "-q", "-b", "main");
    commitAll(repo);
    write(join(repo, "pkg", "cfg.yaml"), "model: m\n");
    write(join(repo, "pkg", "a.ts"), "b\n");
    write(join(repo, "pkg", "plain.yaml"), "model: b\n");
    const ms = milestone("diff-sub");
    captureMilestone({ ...ms, sourceRoot: join(repo, "pkg"), version: "0" });
    assertNoCanary(ms.runDir);
    const diff = fs.readFileSync(join(ms.runDir, "git.diff"), "utf8");
    expect(diff).toStartWith("# cfg.yaml: diff omitted (holds secrets)\ndiff --git a/a.ts b/a.ts");
    // A config file whose committed version holds no secret keeps its diff.
    expect(diff).toContain("diff --git a/plain.yaml b/plain.yaml");
  });
});
