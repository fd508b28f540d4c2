/**
 * A scryptorum project: finding its root, creating it, and listing its experiments.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, appendFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, resolve, relative } from "pathe";
import { UserError } from "./errors";
import { createJsonExclusive, ensureDirs, readJsonIfExists } from "./fsutil";
import { ANCHOR_FILE, FORMAT, PROJECT_FILE, PROJECT_SUBDIRS, experimentsRoot, projectFile, runsDir } from "./layout";
import { checkFormat } from "./runfile";
import { validateName } from "./validate";
import { VERSION } from "../version";
import { spawnSync } from "node:child_process";

/** What `.scryptorum` holds. */
export interface AnchorConfig {
  format: number;
  project: string;
  experiments_dir: string;
  plugins?: string[];
  [extra: string]: unknown;
}

export interface ProjectInfo {
  format: number;
  name: string;
  created_at: string;
  scryptorum_version: string;
}

/** Expands a leading "~" and resolves relative paths against `base`. */
export function expandPath(path: string, base: string): string {
  if (path === "~" || path.startsWith("~/")) return join(homedir(), path.slice(1));
  return resolve(base, path);
}

/** Reads `.scryptorum` and returns the project root it points at. */
export function readAnchor(anchorPath: string): { config: AnchorConfig; root: string } {
  const config = readJsonIfExists<AnchorConfig>(anchorPath);
  if (!config || typeof config !== "object") throw new UserError(`${anchorPath} is empty: run \`scryptorum init\` again`);
  checkFormat(config.format, anchorPath);
  const project = validateName(config.project, `"project" in ${anchorPath}`);
  const experimentsDir = expandPath(config.experiments_dir ?? "./experiments", dirname(anchorPath));
  return { config, root: join(experimentsDir, project) };
}

/**
 * A project root (the folder holding project.json).
 *
 * @example
 * const project = Project.find();
 * project.listExperiments(); // [{ name: "sentiment", runs: 3 }]
 */
export class Project {
  readonly root: string;
  /** The folder holding `.scryptorum`, when the project was found through one. */
  readonly anchorDir?: string;
  readonly anchor?: AnchorConfig;
  readonly info: ProjectInfo;

  constructor(root: string, anchor?: { dir: string; config: AnchorConfig }) {
    this.root = resolve(root);
    const info = readJsonIfExists<ProjectInfo>(projectFile(this.root));
    if (!info) {
      throw new UserError(
        `no scryptorum project at ${this.root} (no project.json): run \`scryptorum init\` or \`scryptorum create-project\``,
      );
    }
    checkFormat(info.format, projectFile(this.root));
    this.info = info;
    this.anchorDir = anchor?.dir;
    this.anchor = anchor?.config;
  }

  get name(): string {
    return this.info.name;
  }

  /**
   * Finds the project: an explicit root, else SCRYPTORUM_PROJECT_ROOT, else walking up from
   * `cwd` to the first folder holding `.scryptorum` (which points at the root) or
   * `project.json` (which is the root).
   */
  static find(cwd: string = process.cwd(), explicitRoot?: string): Project {
    if (explicitRoot) return new Project(resolve(cwd, explicitRoot));
    const fromEnv = process.env.SCRYPTORUM_PROJECT_ROOT;
    if (fromEnv) return new Project(resolve(cwd, fromEnv));
    let dir = resolve(cwd);
    for (;;) {
      const anchorPath = join(dir, ANCHOR_FILE);
      if (existsSync(anchorPath) && statSync(anchorPath).isFile()) {
        const { config, root } = readAnchor(anchorPath);
        return new Project(root, { dir, config });
      }
      if (existsSync(join(dir, PROJECT_FILE))) return new Project(dir);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    throw new UserError(`no scryptorum project found from ${resolve(cwd)}: run \`scryptorum init\` here, or pass --project-root`);
  }

  /** Creates a project root (project.json and its folders) at `root`; keeps an existing one. */
  static createRoot(root: string, name: string): Project {
    validateName(name, "project name");
    ensureDirs(...PROJECT_SUBDIRS.map((d) => join(root, d)));
    createJsonExclusive(projectFile(root), {
      format: FORMAT,
      name,
      created_at: new Date().toISOString(),
      scryptorum_version: VERSION,
    } satisfies ProjectInfo);
    return new Project(root);
  }

  /**
   * Sets scryptorum up in a code repository: writes `.scryptorum` in `dir` and creates the
   * project root under the experiments directory. Inside a git work tree it adds the
   * anchored experiments directory to `.gitignore` unless `gitignore: false`.
   *
   * @example
   * Project.init(".", { name: "my-llm-app" });
   */
  static init(dir: string, opts: { name?: string; experimentsDir?: string; gitignore?: boolean; force?: boolean } = {}): Project {
    dir = resolve(dir);
    const name = opts.name !== undefined ? validateName(opts.name, "project name") : defaultProjectName(dir);
    const experimentsDir = opts.experimentsDir ?? "./experiments";
    const anchorPath = join(dir, ANCHOR_FILE);
    const anchor: AnchorConfig = { format: FORMAT, project: name, experiments_dir: experimentsDir };
    const existing = readJsonIfExists<AnchorConfig>(anchorPath);
    if (existing && !opts.force && (existing.project !== name || (existing.experiments_dir ?? "./experiments") !== experimentsDir)) {
      throw new UserError(
        `${anchorPath} already points at project "${existing.project}" in ${existing.experiments_dir}: pass --force to replace it`,
      );
    }
    const root = join(expandPath(experimentsDir, dir), name);
    const project = Project.createRoot(root, name);
    if (!existing || opts.force) writeFileSync(anchorPath, JSON.stringify({ ...existing, ...anchor }, null, 2) + "\n");
    if (opts.gitignore !== false) addToGitignore(dir, expandPath(experimentsDir, dir));
    return new Project(project.root, { dir, config: readAnchor(anchorPath).config });
  }

  /** Experiments with their run counts, sorted by name. */
  listExperiments(): { name: string; runs: number }[] {
    const base = experimentsRoot(this.root);
    if (!existsSync(base)) return [];
    return readdirSync(base, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(base, e.name, "experiment.json")))
      .map((e) => ({ name: e.name, runs: countRuns(runsDir(this.root, e.name)) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}

function countRuns(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && existsSync(join(dir, e.name, "run.json"))).length;
}

/** package.json's name without its npm scope, else the folder's name; checked against the pattern. */
export function defaultProjectName(dir: string): string {
  const pkg = readJsonIfExists<{ name?: string }>(join(dir, "package.json"));
  if (pkg && typeof pkg.name === "string" && pkg.name) {
    return validateName(pkg.name.replace(/^@[^/]+\//, ""), "project name (from package.json)");
  }
  return validateName(basename(dir), "project name (from the folder's name; pass --project-name)");
}

function gitTopLevel(dir: string): string | undefined {
  const r = spawnSync("git", ["rev-parse", "--show-toplevel"], { cwd: dir, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Adds `/experiments/` (anchored, relative to dir) to dir's .gitignore inside a git work tree. */
function addToGitignore(dir: string, experimentsDir: string): void {
  if (!gitTopLevel(dir)) return;
  const rel = relative(dir, experimentsDir);
  if (rel.startsWith("..") || rel === "") return; // outside the repo: nothing to ignore
  const entry = `/${rel}/`;
  const path = join(dir, ".gitignore");
  const current = existsSync(path) ? readFileSync(path, "utf8") : "";
  if (current.split(/\r?\n/).some((l) => l.trim() === entry || l.trim() === entry.slice(0, -1))) return;
  appendFileSync(path, `${current && !current.endsWith("\n") ? "\n" : ""}${entry}\n`);
}
