/**
 * A scryptorum project: finding its root, creating it, and listing its experiments.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync, appendFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, resolve, relative } from "pathe";
import { UserError } from "./errors";
import { checkFormat } from "./runfile";
import { createJsonExclusive, ensureDirs, readJsonIfExists } from "./fsutil";
import { ANCHOR_FILE, FORMAT, PROJECT_FILE, PROJECT_SUBDIRS, experimentsRoot, projectFile, runsDir } from "./layout";
import { validateName } from "./validate";
import { VERSION } from "./version";
import { gitTopLevel } from "./git";

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

/**
 * Reads `.scryptorum` or `project.json`: undefined when missing; a UserError (the user's
 * file to fix) when it is not a JSON object or was written by a newer scryptorum.
 */
function readProjectFile<T extends { format?: unknown }>(path: string, fix: string): T | undefined {
  let value: unknown;
  try {
    value = readJsonIfExists(path);
  } catch (error) {
    const cause = (error as Error).cause;
    if (!(cause instanceof SyntaxError)) throw error;
    throw new UserError(`${path} is not valid JSON (${cause.message}): ${fix}`, { cause: error });
  }
  if (value === undefined) return undefined;
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new UserError(`${path} does not hold a JSON object: ${fix}`);
  const { format, scryptorum_version: by } = value as { format?: unknown; scryptorum_version?: unknown };
  checkFormat(format, path, by);
  return value as T;
}

const FIX_ANCHOR = "fix it, or rewrite it with `scryptorum init --force`";

/** Reads `.scryptorum` and returns the project root it points at. */
export function readAnchor(anchorPath: string): { config: AnchorConfig; root: string } {
  const config = readProjectFile<AnchorConfig>(anchorPath, FIX_ANCHOR);
  if (!config) throw new UserError(`${anchorPath} is missing: run \`scryptorum init\` again`);
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
    const info = readProjectFile<ProjectInfo>(projectFile(this.root), "fix it, or delete it and run `scryptorum init` again to recreate it");
    if (!info) {
      throw new UserError(
        `no scryptorum project at ${this.root} (no project.json): run \`scryptorum init\` or \`scryptorum create-project\``,
      );
    }
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
   * `project.json` (which is the root). An explicit root keeps the settings of a
   * `.scryptorum` that points at it (plugins, prices, the snapshot's source folder).
   */
  static find(cwd: string = process.cwd(), explicitRoot?: string): Project {
    const given = explicitRoot || process.env.SCRYPTORUM_PROJECT_ROOT;
    if (given) {
      const root = resolve(cwd, given);
      const anchor = anchorPointingAt(root, cwd);
      // A CI checkout keeps `.scryptorum` (committed) but not the git-ignored root.
      if (anchor && !existsSync(projectFile(root))) Project.createRoot(root, anchor.config.project);
      return new Project(root, anchor);
    }
    const found = Project.search(cwd);
    if (found) return found;
    throw new UserError(`no scryptorum project found from ${resolve(cwd)}: run \`scryptorum init\` here, or pass --project-root`);
  }

  /**
   * Walks up from `cwd` to the first folder holding `.scryptorum` (the project it points
   * at, its root created as `init` would when a fresh checkout lacks it) or `project.json`.
   */
  static search(cwd: string = process.cwd()): Project | undefined {
    for (let dir = resolve(cwd); ; dir = dirname(dir)) {
      const anchorPath = join(dir, ANCHOR_FILE);
      if (existsSync(anchorPath) && statSync(anchorPath).isFile()) return Project.fromAnchor(anchorPath);
      if (existsSync(join(dir, PROJECT_FILE))) return new Project(dir);
      if (dirname(dir) === dir) return undefined;
    }
  }

  /** The project a `.scryptorum` points at; its root is created (as `init` would) when missing. */
  static fromAnchor(anchorPath: string): Project {
    const { config, root } = readAnchor(anchorPath);
    if (!existsSync(projectFile(root))) Project.createRoot(root, validateName(config.project, `"project" in ${anchorPath}`));
    return new Project(root, { dir: dirname(anchorPath), config });
  }

  /**
   * The library's way to a project (`new Experiment(dir, …)`, `new Runner(dir)`,
   * `experiment({ projectRoot })`). A folder given (or SCRYPTORUM_PROJECT_ROOT) is the
   * project: its project.json, the project its `.scryptorum` points at, or, holding
   * neither, a new project created there named after the folder. With no folder given it
   * searches up from `cwd`, and when there is no project at all sets one up in `cwd` as
   * `scryptorum init` would, saying so once on stderr.
   *
   * @example
   * const project = Project.open("."); // creates ./project.json when missing
   */
  static open(projectRoot?: string, cwd: string = process.cwd()): Project {
    const given = projectRoot || process.env.SCRYPTORUM_PROJECT_ROOT;
    if (given) {
      const root = resolve(cwd, given);
      if (existsSync(projectFile(root))) return new Project(root, anchorPointingAt(root, cwd));
      const anchorPath = join(root, ANCHOR_FILE);
      if (existsSync(anchorPath) && statSync(anchorPath).isFile()) return Project.fromAnchor(anchorPath);
      const anchor = anchorPointingAt(root, cwd);
      const name = anchor?.config.project ?? libraryProjectName(root, "the folder's name; pass a projectRoot whose name is valid, or create it with Project.init(dir, { name })");
      Project.createRoot(root, name);
      return new Project(root, anchor);
    }
    const found = Project.search(cwd);
    if (found) return found;
    const dir = resolve(cwd);
    const project = Project.init(dir, { name: libraryProjectName(dir, "from package.json or the folder's name; pass projectRoot, or call Project.init(dir, { name })", true) });
    process.stderr.write(
      `scryptorum: no project found from ${dir}; set one up here as \`scryptorum init\` would: project "${project.name}" at ${relative(dir, project.root) || "."} (pointed at by .scryptorum). Pass projectRoot to use another folder.\n`,
    );
    return project;
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
    // --force replaces a file that cannot be read as well.
    let existing: AnchorConfig | undefined;
    try {
      existing = readProjectFile<AnchorConfig>(anchorPath, FIX_ANCHOR);
    } catch (error) {
      if (!opts.force) throw error;
    }
    const samePlace = (a: string, b: string) => canonical(expandPath(a, dir)) === canonical(expandPath(b, dir));
    if (existing && !opts.force && (existing.project !== name || !samePlace(existing.experiments_dir ?? "./experiments", experimentsDir))) {
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

/** A path with symlinks resolved, as far as it exists (macOS's /tmp is /private/tmp). */
function canonical(path: string): string {
  try {
    return resolve(realpathSync(path));
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(canonical(parent), basename(path));
  }
}

/** The `.scryptorum` pointing at `root`, looked for from `cwd` up, then from `root`'s parent up; unreadable ones are passed over. */
function anchorPointingAt(root: string, cwd: string): { dir: string; config: AnchorConfig } | undefined {
  const target = canonical(root);
  for (const start of [resolve(cwd), dirname(root)]) {
    for (let dir = start; ; dir = dirname(dir)) {
      const anchorPath = join(dir, ANCHOR_FILE);
      if (existsSync(anchorPath) && statSync(anchorPath).isFile()) {
        try {
          const found = readAnchor(anchorPath);
          if (canonical(found.root) === target) return { dir, config: found.config };
        } catch {}
      }
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}

function countRuns(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && existsSync(join(dir, e.name, "run.json"))).length;
}

/** A default project name for the library, its error naming library options. */
function libraryProjectName(dir: string, how: string, fromPackage = false): string {
  try {
    return fromPackage ? defaultProjectName(dir) : validateName(basename(dir), "project name");
  } catch (error) {
    throw new UserError(`${(error as Error).message.replace(/ \(from [^)]*\)/, "")} (${how})`);
  }
}

/** package.json's name without its npm scope, else the folder's name; checked against the pattern. */
export function defaultProjectName(dir: string): string {
  const pkg = readJsonIfExists<{ name?: string }>(join(dir, "package.json"));
  if (pkg && typeof pkg.name === "string" && pkg.name) {
    return validateName(pkg.name.replace(/^@[^/]+\//, ""), "project name (from package.json)");
  }
  return validateName(basename(dir), "project name (from the folder's name; pass --project-name)");
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
