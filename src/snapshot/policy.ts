/**
 * What never goes into a milestone, whatever git or .gitignore say: secrets, dependencies,
 * VCS internals. One table feeds both the per-path check and the git pathspecs, so the
 * snapshot and git.diff cannot disagree about what is secret.
 */

/** One left-out path and why, as written to snapshot_manifest.json. */
export interface Exclusion {
  path: string;
  reason: string;
  size?: number;
}

interface SecretRule {
  /** Matched against one path segment (case-insensitive: .ENV is as secret as .env). */
  test: RegExp;
  /** The same rule as a git glob, for `:(exclude,glob,icase)**\/<glob>` pathspecs. */
  glob: string;
  reason: string;
}

const SECRET_RULES: readonly SecretRule[] = [
  { test: /^\.env/i, glob: ".env*", reason: "secret: env file" },
  { test: /^id_/i, glob: "id_*", reason: "secret: private key" },
  { test: /\.pem$/i, glob: "*.pem", reason: "secret: private key or certificate" },
  { test: /\.key$/i, glob: "*.key", reason: "secret: private key" },
  { test: /\.(p12|pfx)$/i, glob: "*.p[f1][x2]", reason: "secret: key store" },
  { test: /^\.npmrc$/i, glob: ".npmrc", reason: "secret: npm credentials" },
  { test: /^[._]netrc$/i, glob: "[._]netrc", reason: "secret: netrc credentials" },
  { test: /^\.git-credentials$/i, glob: ".git-credentials", reason: "secret: git credentials" },
  { test: /^\.pypirc$/i, glob: ".pypirc", reason: "secret: pypi credentials" },
];

// A Map, not an object literal: a folder named "constructor" must not match a prototype key.
const SKIPPED_DIRS: ReadonlyMap<string, string> = new Map([[".git", "vcs"], ["node_modules", "dependency"]]);

/**
 * Why a single file or folder name is secret, or undefined when it is not.
 *
 * @example
 * secretReason(".env.local"); // "secret: env file"
 * secretReason("index.ts");   // undefined
 */
export function secretReason(name: string): string | undefined {
  for (const rule of SECRET_RULES) if (rule.test.test(name)) return rule.reason;
  return undefined;
}

/**
 * The exclusion covering a relative path, reported at the outermost folder that causes it,
 * so `node_modules/` is one manifest entry and not thousands. Segments are checked, not
 * only the basename, because a Python virtualenv named `.env/` is as secret as a `.env` file.
 * `isDir` says `rel` itself is a folder.
 *
 * @example
 * classifyPath("web/node_modules/a/b.js"); // { path: "web/node_modules", reason: "dependency" }
 * classifyPath("src/id_rsa");              // { path: "src/id_rsa", reason: "secret: private key" }
 */
export function classifyPath(rel: string, isDir = false): Exclusion | undefined {
  const segments = rel.split("/");
  for (let i = 0; i < segments.length; i++) {
    const name = segments[i]!;
    const folder = isDir || i < segments.length - 1;
    const reason = (folder ? SKIPPED_DIRS.get(name) : undefined) ?? secretReason(name);
    if (reason) return { path: segments.slice(0, i + 1).join("/"), reason };
  }
  return undefined;
}

/**
 * Git pathspecs that keep secrets and dependencies out of git's answers (ls-files, diff).
 * Belt and braces: every path git returns is still checked with classifyPath.
 *
 * @example
 * spawnSync("git", ["diff", "HEAD", "--", ".", ...excludePathspecs()]);
 */
export function excludePathspecs(): string[] {
  const specs = SECRET_RULES.flatMap((rule) => [
    `:(exclude,glob,icase)**/${rule.glob}`,
    `:(exclude,glob,icase)**/${rule.glob}/**`,
  ]);
  for (const dir of SKIPPED_DIRS.keys()) specs.push(`:(exclude,glob)**/${dir}/**`);
  return specs;
}

