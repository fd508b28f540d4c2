/**
 * `bun scripts/npm-packages.ts [--from dist/release] [--targets linux-x64,...] [--out dist/npm]`
 *
 * Writes the npm packages into `dist/npm/`, ready for `npm pack` or `npm publish <dir>`:
 * - `dist/npm/cli-<os>-<cpu>[-musl]/`: one per release target, `@scryptorum/cli-…` with
 *   `os`/`cpu`/`libc` set and the executable from that target's release archive (so npm
 *   ships the same bytes as the GitHub release, re-signed macOS binaries included);
 * - `dist/npm/scryptorum/`: the `scryptorum` package: the library (dist/lib), the Node CLI
 *   (dist/cli.mjs) and the launcher (dist/launcher.mjs) as its `scryptorum` command, with
 *   every platform package in `optionalDependencies` at the same version.
 * `bun run build -- --release` runs it after scripts/release.ts, for the targets built.
 */
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PLATFORM_PACKAGES, type PlatformPackage } from "../src/npm/platform";
import { build } from "./build";
import { archiveName, RELEASE_DIR } from "./release";

const ROOT = join(import.meta.dir, "..");
export const NPM_DIR = join(ROOT, "dist", "npm");

interface RootManifest {
  name: string;
  version: string;
  description: string;
  license: string;
  repository?: unknown;
  homepage?: string;
  [key: string]: unknown;
}

function rootManifest(): RootManifest {
  return JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as RootManifest;
}

/** The folder of a package under `out` (dist/npm): its name without the scope. */
export function packageDir(name: string, out = NPM_DIR): string {
  return join(out, name.replace(/^@[^/]+\//, ""));
}

/**
 * A platform package's package.json: npm installs it only where `os`, `cpu` and `libc`
 * match, and runs nothing at install.
 *
 * @example
 * platformManifest(PLATFORM_PACKAGES[0]!, rootManifest()).libc; // ["glibc"]
 */
export function platformManifest(pkg: PlatformPackage, root: RootManifest): Record<string, unknown> {
  return {
    name: pkg.name,
    version: root.version,
    description: `The scryptorum executable for ${pkg.label}. Install scryptorum, not this package: it picks the one for your platform.`,
    license: root.license,
    ...(root.repository ? { repository: root.repository } : {}),
    ...(root.homepage ? { homepage: root.homepage } : {}),
    os: [pkg.os],
    cpu: [pkg.cpu],
    ...(pkg.libc ? { libc: [pkg.libc] } : {}),
    files: [pkg.exe, "README.md", "LICENSE"],
    preferUnplugged: true,
  };
}

/**
 * The published `scryptorum` package.json: the repository's, without its scripts and
 * devDependencies, with the launcher as the command and the platform packages optional.
 */
export function mainManifest(root: RootManifest): Record<string, unknown> {
  const { scripts: _s, devDependencies: _d, ...rest } = root;
  const files = (root.files as string[] | undefined) ?? [];
  return {
    ...rest,
    bin: { scryptorum: "./dist/launcher.mjs" },
    files: [...new Set([...files, "dist/launcher.mjs"])],
    optionalDependencies: Object.fromEntries(PLATFORM_PACKAGES.map((p) => [p.name, root.version])),
  };
}

/** The executable out of a release archive, into `dir` (skipped when already newer). */
function unpack(archive: string, pkg: PlatformPackage, dir: string): void {
  const exe = join(dir, pkg.exe);
  if (existsSync(exe) && statSync(exe).mtimeMs >= statSync(archive).mtimeMs) return;
  const work = join(dir, ".unpack");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const cmd = archive.endsWith(".zip") ? ["unzip", "-q", "-o", archive, pkg.exe, "-d", work] : ["tar", "-xzf", archive, "-C", work, pkg.exe];
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`Failed to unpack ${pkg.exe} from ${archive}: ${r.stderr.toString()}`);
  chmodSync(join(work, pkg.exe), 0o755);
  renameSync(join(work, pkg.exe), exe);
  rmSync(work, { recursive: true, force: true });
}

export interface NpmPackagesOptions {
  /** The folder holding the release archives (default dist/release). */
  from?: string;
  /** Release targets to package (default: every one whose archive is in `from`). */
  targets?: string[];
  /** Where the package folders go (default dist/npm). */
  out?: string;
}

/**
 * Writes the platform packages for `targets` and the main package; returns their folders.
 *
 * @example
 * await npmPackages({ targets: ["linux-x64"] }); // [".../dist/npm/cli-linux-x64", ".../dist/npm/scryptorum"]
 */
export async function npmPackages(opts: NpmPackagesOptions = {}): Promise<string[]> {
  const from = opts.from ?? RELEASE_DIR;
  const root = rootManifest();
  const wanted = opts.targets ?? PLATFORM_PACKAGES.map((p) => p.target).filter((t) => existsSync(join(from, archiveName(t))));
  const dirs: string[] = [];
  for (const target of wanted) {
    const pkg = PLATFORM_PACKAGES.find((p) => p.target === target);
    if (!pkg) throw new Error(`unknown release target ${target}: use one of ${PLATFORM_PACKAGES.map((p) => p.target).join(", ")}`);
    const archive = join(from, archiveName(target));
    if (!existsSync(archive)) throw new Error(`${archive} is missing: build it first (bun run build -- --release --targets ${target})`);
    const dir = packageDir(pkg.name, opts.out);
    mkdirSync(dir, { recursive: true });
    unpack(archive, pkg, dir);
    writeFileSync(join(dir, "package.json"), `${JSON.stringify(platformManifest(pkg, root), null, 2)}\n`);
    writeFileSync(join(dir, "README.md"), `# ${pkg.name}\n\nThe [scryptorum](https://www.npmjs.com/package/scryptorum) executable for ${pkg.label}.\nInstall \`scryptorum\`, not this package: npm picks the one for your platform\n(\`optionalDependencies\` with \`os\`/\`cpu\`/\`libc\`), and its \`scryptorum\` command runs it.\n`);
    copyFileSync(join(ROOT, "LICENSE"), join(dir, "LICENSE"));
    dirs.push(dir);
  }
  // The main package: the library, the Node CLI and the launcher, built from this tree.
  await build({ quiet: true });
  const main = packageDir("scryptorum", opts.out);
  rmSync(main, { recursive: true, force: true });
  mkdirSync(join(main, "dist"), { recursive: true });
  cpSync(join(ROOT, "dist", "lib"), join(main, "dist", "lib"), { recursive: true });
  for (const f of ["cli.mjs", "launcher.mjs"]) copyFileSync(join(ROOT, "dist", f), join(main, "dist", f));
  for (const f of ["README.md", "LICENSE"]) copyFileSync(join(ROOT, f), join(main, f));
  writeFileSync(join(main, "package.json"), `${JSON.stringify(mainManifest(root), null, 2)}\n`);
  dirs.push(main);
  return dirs;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  try {
    const dirs = await npmPackages({ from: value("--from"), targets: value("--targets")?.split(",").filter(Boolean), out: value("--out") });
    for (const d of dirs) process.stderr.write(`npm: ${d}\n`);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
