import { describe, expect, test } from "bun:test";
import { fsGitHelpers } from "../../helpers/fs-git";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { dirname, join } from "pathe";
import { captureMilestone, resolveSourceRoot, snapshotOptionsFromAnchor, type SnapshotOptions } from "../../../src/snapshot/index.ts";

const { tmp, track, write, git, commitAll: commit } = fsGitHelpers("scry-snap");
const commitAll = (dir: string) => commit(dir, "snapshot fixture");

function gitInit(dir: string): void {
  git(dir, "init", "-q", "-b", "main");
}

/** Every regular file under `dir` (symlinks not followed), path -> contents. */
function readAll(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) out.set(p, fs.readFileSync(p));
      else if (entry.isSymbolicLink()) out.set(p, Buffer.from(fs.readlinkSync(p)));
    }
  };
  walk(dir);
  return out;
}

/** Disk use like `du`: allocated blocks, each inode counted once however many links it has. */
function diskUse(...dirs: string[]): number {
  const seen = new Set<string>();
  let bytes = 0;
  const walk = (p: string) => {
    const st = fs.lstatSync(p, { bigint: true });
    const key = `${st.dev}:${st.ino}`;
    if (!seen.has(key)) {
      seen.add(key);
      bytes += Number(st.blocks) * 512;
    }
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) walk(join(p, name));
  };
  for (const dir of dirs) walk(dir);
  return bytes;
}

interface Project {
  projectRoot: string;
  experimentDir: string;
  newRunDir(id: string): string;
}

function makeProject(projectRoot: string): Project {
  const experimentDir = join(projectRoot, "experiments", "exp");
  write(join(projectRoot, "project.json"), JSON.stringify({ format: 1, name: "proj" }));
  for (const sub of ["config", "prompts", "runs"]) fs.mkdirSync(join(experimentDir, sub), { recursive: true });
  return {
    projectRoot,
    experimentDir,
    newRunDir(id) {
      const dir = join(experimentDir, "runs", id);
      fs.mkdirSync(dir);
      return dir;
    },
  };
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

describe("captureMilestone in a git work tree", () => {
  const CANARIES = [
    "CANARY_ENV_abc123", "CANARY_IDRSA", "CANARY_NPM", "CANARY_PEM", "CANARY_IGNORED",
    "CANARYTOKEN", "CANARY_CFG", "CANARYPASS", "CANARY_CFGENV", "CANARY_OPENAI",
    "CANARY_NODEOPT", "CANARY_EXTRA", "CANARY_OUTSIDE", "CANARY_MODULES", "CANARY_PROMPTKEY",
  ];

  const root = tmp("git");
  const src = join(root, "src");
  const outside = join(root, "outside");
  write(join(outside, "secret.txt"), "CANARY_OUTSIDE");
  write(join(src, "package.json"), JSON.stringify({
    name: "fixture", version: "1.2.3", dependencies: { pathe: "^2.0.0" }, devDependencies: { keytar: "^7" },
  }));
  write(join(src, "bun.lock"), "lockfile v1\n");
  write(join(src, "index.ts"), "export const answer = 42;\n");
  write(join(src, "lib", "util.ts"), "export const util = 1;\n");
  write(join(src, ".gitignore"), "cache/\n");
  write(join(src, ".env"), "OPENAI_API_KEY=CANARY_ENV_abc123\n");
  write(join(src, "keys", "id_rsa"), "-----BEGIN OPENSSH PRIVATE KEY-----\nCANARY_IDRSA\n");
  write(join(src, ".npmrc"), "//registry.npmjs.org/:_authToken=CANARY_NPM\n");
  write(join(src, "server.pem"), "CANARY_PEM\n");
  write(join(src, "cache", "token.txt"), "CANARY_IGNORED\n");
  write(join(src, "node_modules", "dep", "index.js"), "module.exports = 'CANARY_MODULES';\n");
  write(join(src, "big.bin"), Buffer.alloc(3000, 7));
  gitInit(src);
  git(src, "remote", "add", "origin", "https://user:CANARYTOKEN@example.com/r.git");
  commitAll(src);
  // After the commit: dirty tracked files (one of them the tracked .env), a deleted file,
  // symlinks, and an experiments directory that git does not ignore.
  write(join(src, "index.ts"), "export const answer = 43;\n");
  write(join(src, ".env"), "OPENAI_API_KEY=CANARY_ENV_abc123\nMORE=CANARY_ENV_abc123\n");
  fs.rmSync(join(src, "lib", "util.ts"));
  write(join(src, "untracked.ts"), "export {};\n");
  fs.symlinkSync(join(outside, "secret.txt"), join(src, "link-out"));
  fs.symlinkSync(".env", join(src, "env-link"));
  fs.symlinkSync("index.ts", join(src, "index-link.ts"));
  fs.symlinkSync("cache/token.txt", join(src, "ignored-link"));

  const project = makeProject(join(src, "experiments", "proj"));
  write(join(project.experimentDir, "config", "settings.json"), JSON.stringify({
    model: "gpt-4o", api_key: "CANARY_CFG", max_tokens: 5, endpoint: "https://u:CANARYPASS@h/x",
  }));
  write(join(project.experimentDir, "config", "extra.yaml"), "model: gpt\nauth_token: CANARY_CFG\n");
  write(join(project.experimentDir, "config", ".env"), "KEY=CANARY_CFGENV\n");
  write(join(project.experimentDir, "prompts", "system.txt"), "You are helpful.\n");
  write(join(project.experimentDir, "prompts", "nested", "user.md"), "Question: {q}\n");
  write(join(project.experimentDir, "prompts", "id_rsa"), "CANARY_PROMPTKEY\n");
  const runDir = project.newRunDir("ms-1");

  const saved = { ...process.env };
  process.env.OPENAI_API_KEY = "CANARY_OPENAI";
  process.env.MY_TOKEN = "CANARY_EXTRA";
  process.env.MY_FLAG = "on";
  process.env.NODE_OPTIONS = "--max-old-space-size=64 --api-key=CANARY_NODEOPT";
  process.env.TZ = "UTC";
  const options: SnapshotOptions = {
    runDir,
    projectRoot: project.projectRoot,
    experimentDir: project.experimentDir,
    sourceRoot: src,
    experimentsDir: join(src, "experiments"),
    maxFileBytes: 1000,
    version: "0.1.0-test",
    extraEnvAllow: ["MY_TOKEN", "OPENAI_API_KEY", "MY_FLAG"],
  };
  let result: ReturnType<typeof captureMilestone>;
  try {
    result = captureMilestone(options);
  } finally {
    for (const name of ["OPENAI_API_KEY", "MY_TOKEN", "MY_FLAG", "NODE_OPTIONS", "TZ"]) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
  const manifest = readJson(join(runDir, "snapshot_manifest.json"));
  const environment = readJson(join(runDir, "environment.json"));
  const reasonOf = (path: string) => manifest.excluded.find((e: { path: string }) => e.path === path)?.reason;

  test("no canary appears anywhere under the run folder or in the store", () => {
    const files = [...readAll(runDir), ...readAll(join(project.projectRoot, ".store"))];
    expect(files.length).toBeGreaterThan(5);
    for (const [file, content] of files) {
      const text = content.toString("latin1");
      for (const canary of CANARIES) {
        if (text.includes(canary)) throw new Error(`${canary} leaked into ${file}`);
      }
    }
  });

  test("the manifest lists snapshotted files with size and sha256, sorted", () => {
    expect(manifest.format).toBe(1);
    expect(manifest.source_root).toBe(src);
    const paths = manifest.files.map((f: { path: string }) => f.path);
    expect(paths).toEqual([...paths].sort());
    expect(paths).toEqual([".gitignore", "bun.lock", "index-link.ts", "index.ts", "package.json", "untracked.ts"]);
    const index = manifest.files.find((f: { path: string }) => f.path === "index.ts");
    const content = fs.readFileSync(join(src, "index.ts"));
    expect(index).toEqual({ path: "index.ts", size: content.length, sha256: createHash("sha256").update(content).digest("hex") });
    expect(manifest.totals).toEqual({
      files: paths.length,
      bytes: manifest.files.reduce((n: number, f: { size: number }) => n + f.size, 0),
      excluded: manifest.excluded.length,
    });
    expect(result).toMatchObject({ files: paths.length, bytes: manifest.totals.bytes, excluded: manifest.excluded.length });
  });

  test("the manifest names each exclusion with its reason", () => {
    expect(reasonOf(".env")).toBe("secret: env file");
    expect(reasonOf("keys/id_rsa")).toBe("secret: private key");
    expect(reasonOf(".npmrc")).toBe("secret: npm credentials");
    expect(reasonOf("server.pem")).toBe("secret: private key or certificate");
    expect(reasonOf("node_modules")).toBe("dependency");
    expect(reasonOf("experiments")).toBe("experiments directory");
    expect(reasonOf("big.bin")).toBe("over 1000 B limit");
    expect(manifest.excluded.find((e: { path: string }) => e.path === "big.bin").size).toBe(3000);
    expect(reasonOf("link-out")).toBe("symlink outside source root");
    expect(reasonOf("env-link")).toBe("symlink to secret: env file");
    expect(reasonOf("ignored-link")).toBe("symlink to a file left out of the snapshot");
    expect(reasonOf("lib/util.ts")).toBe("missing from work tree");
    expect(reasonOf("config/.env")).toBe("secret: env file");
    expect(reasonOf("prompts/id_rsa")).toBe("secret: private key");
    // Gitignored files are not "left out", git never saw them.
    expect(reasonOf("cache")).toBeUndefined();
    expect(fs.existsSync(join(runDir, "code_snapshot", "cache"))).toBe(false);
  });

  test("snapshot files are read-only, folders stay writable", () => {
    const files = readAll(join(runDir, "code_snapshot"));
    expect(files.size).toBe(manifest.files.length);
    for (const file of files.keys()) expect(fs.statSync(file).mode & 0o777).toBe(0o444);
    expect(fs.statSync(join(runDir, "code_snapshot")).mode & 0o200).toBe(0o200);
    // The symlink inside the tree is kept as a plain copy of its target.
    expect(fs.lstatSync(join(runDir, "code_snapshot", "index-link.ts")).isFile()).toBe(true);
  });

  test("config is redacted (numbers survive), prompts are copied as they are", () => {
    const settings = readJson(join(runDir, "config", "settings.json"));
    expect(settings).toEqual({ model: "gpt-4o", api_key: "[redacted]", max_tokens: 5, endpoint: "https://[redacted]@h/x" });
    expect(fs.readFileSync(join(runDir, "config", "settings.json"), "utf8")).toContain('\n  "max_tokens": 5');
    expect(fs.readFileSync(join(runDir, "config", "extra.yaml"), "utf8")).toBe('model: gpt\nauth_token: "[redacted]"\n');
    expect(fs.existsSync(join(runDir, "config", ".env"))).toBe(false);
    expect(fs.readFileSync(join(runDir, "prompts", "nested", "user.md"), "utf8")).toBe("Question: {q}\n");
    expect(fs.readFileSync(join(runDir, "prompts", "system.txt"), "utf8")).toBe("You are helpful.\n");
  });

  test("environment.json records runtime, package, lockfile and git, env by allow-list only", () => {
    expect(environment.format).toBe(1);
    expect(environment.scryptorum_version).toBe("0.1.0-test");
    expect(environment.runtime.name).toBe(process.versions.bun ? "bun" : "node");
    expect(environment.runtime.cpus).toBeGreaterThan(0);
    expect(environment.package).toEqual({
      name: "fixture", version: "1.2.3", dependencies: { pathe: "^2.0.0" }, devDependencies: { keytar: "^7" },
    });
    expect(environment.lockfile).toEqual({
      file: "bun.lock", sha256: createHash("sha256").update("lockfile v1\n").digest("hex"),
    });
    expect(environment.git.remote).toBe("https://example.com/r.git");
    expect(environment.git.branch).toBe("main");
    expect(environment.git.commit).toBe(git(src, "rev-parse", "HEAD").trim());
    expect(environment.git.dirty).toBe(true);
    // Untracked files outside the experiments directory, secret files never among them.
    expect(environment.git.untracked).toEqual(["env-link", "ignored-link", "index-link.ts", "link-out", "untracked.ts"]);
    expect(environment.git.untracked_count).toBe(5);
    expect(result.git).toEqual(environment.git);
    expect(environment.env.OPENAI_API_KEY).toBeUndefined();
    expect(environment.env.MY_TOKEN).toBeUndefined();
    expect(environment.env.MY_FLAG).toBe("on");
    expect(environment.env.TZ).toBe("UTC");
    expect(environment.env.NODE_OPTIONS).toBe("--max-old-space-size=64 --api-key=[redacted]");
    expect(Object.keys(environment.env).length).toBeLessThan(15);
  });

  test("git.diff holds the tracked changes of snapshotted files, never a secret file", () => {
    const diff = fs.readFileSync(join(runDir, "git.diff"), "utf8");
    expect(diff).toContain("diff --git a/index.ts b/index.ts");
    expect(diff).toContain("+export const answer = 43;");
    expect(diff).toContain("deleted file mode");
    expect(diff).not.toContain(".env");
    expect(diff).toStartWith("# 5 untracked files are not in this diff (listed in environment.json git.untracked)\n");
    // The patch applies to the committed tree.
    const check = tmp("apply");
    git(src, "archive", "HEAD", "-o", join(check, "head.tar"));
    execFileSync("tar", ["-xf", "head.tar"], { cwd: check });
    git(check, "apply", "--check", join(runDir, "git.diff"));
  });
});

describe("captureMilestone, other trees", () => {
  test("a clean tree writes no git.diff and records dirty: false", () => {
    const src = tmp("clean");
    write(join(src, "a.ts"), "a\n");
    write(join(src, ".gitignore"), "/experiments/\n");
    gitInit(src);
    commitAll(src);
    const project = makeProject(join(src, "experiments", "proj"));
    const runDir = project.newRunDir("ms-1");
    const result = captureMilestone({ ...project, runDir, sourceRoot: src, experimentsDir: join(src, "experiments"), version: "0" });
    expect(result.git?.dirty).toBe(false);
    expect(result.git?.untracked).toEqual([]);
    expect(result.git?.untracked_count).toBe(0);
    expect(fs.existsSync(join(runDir, "git.diff"))).toBe(false);
    expect(readJson(join(runDir, "snapshot_manifest.json")).files.map((f: { path: string }) => f.path)).toEqual([".gitignore", "a.ts"]);
  });

  test("untracked files alone make the tree dirty; environment.json lists them, secrets and scryptorum's folders left out", () => {
    const src = tmp("untracked");
    write(join(src, "a.ts"), "a\n");
    write(join(src, ".gitignore"), "*.log\n");
    gitInit(src);
    commitAll(src);
    write(join(src, "new.ts"), "new\n");
    write(join(src, "docs", "notes.md"), "notes\n");
    write(join(src, "debug.log"), "ignored\n");
    write(join(src, ".env.local"), "TOKEN=CANARY\n");
    write(join(src, "node_modules", "x", "i.js"), "dep\n");
    const project = makeProject(join(src, "experiments", "proj"));
    const runDir = project.newRunDir("ms-1");
    const result = captureMilestone({ ...project, runDir, sourceRoot: src, experimentsDir: join(src, "experiments"), version: "0" });
    const environment = readJson(join(runDir, "environment.json"));
    expect(environment.git).toMatchObject({ dirty: true, untracked: ["docs/notes.md", "new.ts"], untracked_count: 2 });
    expect(result.git).toEqual(environment.git);
    // No tracked change: git.diff says only what it does not hold.
    expect(fs.readFileSync(join(runDir, "git.diff"), "utf8")).toBe(
      "# 2 untracked files are not in this diff (listed in environment.json git.untracked)\n",
    );
  });

  test("environment.json lists at most 1000 untracked files, and counts them all", () => {
    const src = tmp("many-untracked");
    write(join(src, "a.ts"), "a\n");
    write(join(src, ".gitignore"), "/experiments/\n");
    gitInit(src);
    commitAll(src);
    for (let i = 0; i < 1005; i++) write(join(src, "gen", `f${String(i).padStart(4, "0")}.txt`), "x\n");
    const project = makeProject(join(src, "experiments", "proj"));
    const runDir = project.newRunDir("ms-1");
    const git = captureMilestone({ ...project, runDir, sourceRoot: src, experimentsDir: join(src, "experiments"), version: "0" }).git!;
    expect(git.dirty).toBe(true);
    expect(git.untracked_count).toBe(1005);
    expect(git.untracked).toHaveLength(1000);
    expect(git.untracked![0]).toBe("gen/f0000.txt");
  });

  test("a source root below the git top level snapshots only that folder, paths relative to it", () => {
    const repo = tmp("sub");
    write(join(repo, "top.ts"), "top\n");
    write(join(repo, "pkg", "a.ts"), "a\n");
    write(join(repo, "pkg", "deep", "b.ts"), "b\n");
    gitInit(repo);
    commitAll(repo);
    write(join(repo, "pkg", "a.ts"), "a2\n");
    write(join(repo, "top.ts"), "top2\n");
    const project = makeProject(tmp("sub-proj"));
    const runDir = project.newRunDir("ms-1");
    captureMilestone({ ...project, runDir, sourceRoot: join(repo, "pkg"), version: "0" });
    const manifest = readJson(join(runDir, "snapshot_manifest.json"));
    expect(manifest.files.map((f: { path: string }) => f.path)).toEqual(["a.ts", "deep/b.ts"]);
    const diff = fs.readFileSync(join(runDir, "git.diff"), "utf8");
    expect(diff).toContain("a/a.ts b/a.ts");
    expect(diff).not.toContain("top.ts");
  });

  test("a repo without commits still snapshots, its diff taken against the empty tree", () => {
    const src = tmp("nohead");
    write(join(src, "a.ts"), "a\n");
    gitInit(src);
    git(src, "add", "a.ts");
    const project = makeProject(tmp("nohead-proj"));
    const runDir = project.newRunDir("ms-1");
    const result = captureMilestone({ ...project, runDir, sourceRoot: src, version: "0" });
    expect(result.files).toBe(1);
    expect(result.git?.commit).toBeUndefined();
    expect(result.git?.dirty).toBe(true);
    expect(fs.readFileSync(join(runDir, "git.diff"), "utf8")).toContain("+a");
  });

  test("outside git, the walk honours nested .gitignore files", () => {
    const src = tmp("plain");
    write(join(src, ".gitignore"), "*.log\ndist/\n/local.ts\n!keep.log\n");
    write(join(src, "main.ts"), "main\n");
    write(join(src, "local.ts"), "anchored, ignored\n");
    write(join(src, "debug.log"), "ignored\n");
    write(join(src, "keep.log"), "re-included\n");
    write(join(src, "dist", "out.js"), "ignored\n");
    write(join(src, "web", ".gitignore"), "*.gen.ts\n!keep.gen.ts\n");
    write(join(src, "web", "local.ts"), "not anchored here\n");
    write(join(src, "web", "a.gen.ts"), "ignored\n");
    write(join(src, "web", "keep.gen.ts"), "kept\n");
    write(join(src, "web", "sub", "dist", "x.js"), "ignored\n");
    write(join(src, "web", ".env.production"), "TOKEN=CANARY\n");
    write(join(src, "node_modules", "x", "i.js"), "dep\n");
    const project = makeProject(join(src, "experiments", "proj"));
    const runDir = project.newRunDir("ms-1");
    const result = captureMilestone({ ...project, runDir, sourceRoot: src, experimentsDir: join(src, "experiments"), version: "0" });
    const manifest = readJson(join(runDir, "snapshot_manifest.json"));
    expect(manifest.files.map((f: { path: string }) => f.path)).toEqual([
      ".gitignore", "keep.log", "main.ts", "web/.gitignore", "web/keep.gen.ts", "web/local.ts",
    ]);
    expect(manifest.excluded).toEqual([
      { path: "experiments", reason: "experiments directory" },
      { path: "node_modules", reason: "dependency" },
      { path: "web/.env.production", reason: "secret: env file" },
    ]);
    expect(result.git).toBeUndefined();
    expect(fs.existsSync(join(runDir, "git.diff"))).toBe(false);
    expect(readJson(join(runDir, "environment.json"))).toMatchObject({ git: null, package: null, lockfile: null });
  });

  test("resolveSourceRoot: anchor folder, else git top level, else cwd", () => {
    const repo = tmp("resolve");
    fs.mkdirSync(join(repo, "a", "b"), { recursive: true });
    gitInit(repo);
    expect(resolveSourceRoot(join(repo, "a", "b"))).toBe(repo);
    expect(resolveSourceRoot(join(repo, "a", "b"), join(repo, "a"))).toBe(join(repo, "a"));
    const plain = tmp("resolve-plain");
    expect(resolveSourceRoot(plain)).toBe(plain);
  });

  // Needs a second filesystem to make hard links fail with EXDEV; /dev/shm is one on Linux.
  const otherFs = fs.existsSync("/dev/shm") && fs.statSync("/dev/shm").dev !== fs.statSync(os.tmpdir()).dev;
  test.skipIf(!otherFs)("when the store is on another filesystem, files are copied instead of linked", () => {
    const src = tmp("xdev");
    write(join(src, "a.ts"), "a\n");
    const projectRoot = track(fs.mkdtempSync("/dev/shm/scry-snap-xdev-"));
    const project = makeProject(projectRoot);
    const runDir = join(tmp("xdev-run"), "ms-1");
    fs.mkdirSync(runDir);
    expect(captureMilestone({ ...project, runDir, sourceRoot: src, version: "0" }).files).toBe(1);
    const copy = fs.statSync(join(runDir, "code_snapshot", "a.ts"));
    expect(copy.nlink).toBe(1);
    expect(copy.mode & 0o777).toBe(0o444);
    expect(fs.readFileSync(join(runDir, "code_snapshot", "a.ts"), "utf8")).toBe("a\n");
  });

  test("a filesystem failure names the path and keeps the cause", () => {
    const src = tmp("fail");
    write(join(src, "a.ts"), "a\n");
    const project = makeProject(tmp("fail-proj"));
    const runDir = project.newRunDir("ms-1");
    write(join(runDir, "code_snapshot", "a.ts"), "already here\n");
    let error: unknown;
    try {
      captureMilestone({ ...project, runDir, sourceRoot: src, version: "0" });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toStartWith(`Failed to snapshot ${join(runDir, "code_snapshot", "a.ts")}: `);
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe("EEXIST");
  });
});

describe("captureMilestone, cost", () => {
  test("20 milestones of an unchanged project cost at most 1.2x the disk of one", () => {
    const src = tmp("disk");
    for (let i = 0; i < 20; i++) write(join(src, "data", `blob${i}.bin`), randomBytes(400 * 1024));
    for (let i = 0; i < 30; i++) write(join(src, "src", `m${i}.ts`), `export const m${i} = ${i};\n`.repeat(20));
    write(join(src, ".gitignore"), "/experiments/\n");
    gitInit(src);
    commitAll(src);
    const project = makeProject(join(src, "experiments", "proj"));
    write(join(project.experimentDir, "config", "c.json"), '{"a":1}');
    const runs: string[] = [];
    const capture = () => {
      const runDir = project.newRunDir(`ms-${runs.length + 1}`);
      runs.push(runDir);
      captureMilestone({ ...project, runDir, sourceRoot: src, experimentsDir: join(src, "experiments"), version: "0" });
    };
    const store = join(project.projectRoot, ".store");
    capture();
    const one = diskUse(runs[0]!, store);
    for (let i = 1; i < 20; i++) capture();
    const twenty = diskUse(...runs, store);
    const ratio = twenty / one;
    console.log(`snapshot disk: 1 milestone ${(one / 1024).toFixed(0)} KiB, 20 milestones ${(twenty / 1024).toFixed(0)} KiB, ratio ${ratio.toFixed(3)}`);
    expect(ratio).toBeLessThanOrEqual(1.2);
    // Identical content in different runs is one inode.
    const a = fs.statSync(join(runs[0]!, "code_snapshot", "data", "blob0.bin"));
    const b = fs.statSync(join(runs[19]!, "code_snapshot", "data", "blob0.bin"));
    expect(a.ino).toBe(b.ino);
  }, 120_000);

  test("a 5,000-file project in git snapshots quickly", () => {
    const src = tmp("perf");
    for (let d = 0; d < 50; d++) {
      for (let f = 0; f < 100; f++) {
        write(join(src, `pkg${d}`, `file${f}.ts`), `// file ${d}/${f}\nexport const v${f} = ${d * 100 + f};\n`.repeat(4));
      }
    }
    write(join(src, ".gitignore"), "/experiments/\n");
    gitInit(src);
    commitAll(src);
    write(join(src, "pkg0", "file0.ts"), "// changed\n");
    const project = makeProject(join(src, "experiments", "proj"));
    const times: number[] = [];
    for (const id of ["ms-cold", "ms-warm"]) {
      const runDir = project.newRunDir(id);
      const start = performance.now();
      const result = captureMilestone({ ...project, runDir, sourceRoot: src, experimentsDir: join(src, "experiments"), version: "0" });
      times.push(performance.now() - start);
      expect(result.files).toBe(5001);
      expect(result.git?.dirty).toBe(true);
    }
    console.log(`snapshot of 5,001 files: first milestone ${times[0]!.toFixed(0)} ms, second (store warm) ${times[1]!.toFixed(0)} ms`);
    expect(Math.max(...times)).toBeLessThan(20_000);
  }, 120_000);
});

describe("snapshot options from .scryptorum", () => {
  const anchor = (extra: Record<string, unknown>) => ({ format: 1, project: "p", experiments_dir: "./experiments", ...extra });

  test.each([
    [undefined, {}],
    [anchor({}), {}],
    [anchor({ snapshot: {} }), {}],
    [anchor({ snapshot: { max_file_bytes: 5242880 } }), { maxFileBytes: 5242880 }],
    [anchor({ snapshot: { max_file_bytes: 1 } }), { maxFileBytes: 1 }],
  ])("%p -> %p", (input, out) => {
    expect(snapshotOptionsFromAnchor(input)).toEqual(out);
  });

  test.each([0, -1, 1.5, "1MB", null, Number.NaN, Infinity, 2 ** 60])("max_file_bytes %p is refused, naming the field and the fix", (value) => {
    expect(() => snapshotOptionsFromAnchor(anchor({ snapshot: { max_file_bytes: value } }))).toThrow(
      /^snapshot\.max_file_bytes in \.scryptorum must be a positive whole number of bytes \(got .+\): set it to e\.g\. 1048576/,
    );
  });

  test.each(["big", 5, [1]])("a snapshot value %p that is not an object is refused", (value) => {
    expect(() => snapshotOptionsFromAnchor(anchor({ snapshot: value }))).toThrow(/"snapshot" in \.scryptorum must be an object/);
  });
});
