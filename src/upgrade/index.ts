/**
 * `scryptorum upgrade`: replaces the running binary with a release's, the way install.sh
 * installs one. Finds the tag through `<base>/latest/download/...`'s redirect (never the
 * GitHub API), downloads the archive and SHA256SUMS into a temp folder, verifies the
 * checksum, runs the new binary's `--version --json`, then renames it over the running
 * executable (Windows: the running file is moved aside first). Refuses copies that a
 * package manager owns, naming that manager's command.
 */
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { spawnSync } from "node:child_process";
import { UpgradeError, UserError } from "../core/errors";
import { buildInfo } from "../build-info";
import { VERSION } from "../core/version";

export const DEFAULT_RELEASES_URL = "https://github.com/scryptorum/scryptorum/releases";

export interface UpgradeOptions {
  /** A tag (`v0.2.0` or `0.2.0`); default the latest release. */
  version?: string;
  /** Only say whether a newer release exists. */
  check?: boolean;
  /** Download and verify, but replace nothing. */
  dryRun?: boolean;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
}

export interface UpgradeResult {
  current: string;
  /** The release's version, as its binary reports it (or the tag when only checked). */
  latest: string | null;
  /** The tag the download came from, when known. */
  tag: string | null;
  target: string;
  path: string;
  action: "up-to-date" | "available" | "would-replace" | "replaced";
}

/**
 * Who owns this copy, when it is not a release binary scryptorum may replace: the
 * command the user should run instead.
 */
export function managedBy(execPath: string, compiled: boolean): string | null {
  const p = execPath.replace(/\\/g, "/");
  if (!compiled) {
    if (p.includes("/node_modules/") || typeof (globalThis as { Bun?: unknown }).Bun === "undefined") {
      return "installed with npm: run `npm install -g scryptorum@latest` (or `npm install scryptorum@latest` in your project)";
    }
    return "running from source, not a release binary: run `git pull && npm run build` (or install the binary: see the README's Install section)";
  }
  if (p.includes("/node_modules/")) return "installed with npm: run `npm install -g scryptorum@latest` (or `npm install scryptorum@latest` in your project)";
  if (p.includes("/Cellar/") || p.includes("/homebrew/") || p.includes("/linuxbrew/")) return "installed with Homebrew: run `brew upgrade scryptorum`";
  if (p.startsWith("/nix/store/")) return "installed with Nix: upgrade it through your Nix configuration";
  if (p.includes("/scoop/")) return "installed with Scoop: run `scoop update scryptorum`";
  return null;
}

/** True inside a `bun build --compile` executable (its entry lives in Bun's embedded file system). */
export function isCompiled(): boolean {
  const main = (globalThis as { Bun?: { main: string } }).Bun?.main ?? "";
  return main.includes("$bunfs") || main.includes("~BUN");
}

function archiveName(target: string): string {
  return `scryptorum-${target}${target.startsWith("windows") ? ".zip" : ".tar.gz"}`;
}

function normalizeTag(v: string): string {
  if (!/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(v)) {
    throw new UserError(`--version "${v}" is not a release tag: give one like v0.2.0`);
  }
  return v.startsWith("v") ? v : `v${v}`;
}

async function get(url: string, redirect: RequestRedirect = "follow"): Promise<Response> {
  try {
    return await fetch(url, { redirect, signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    throw new UpgradeError(`cannot reach ${url}: ${(error as Error).message} (set SCRYPTORUM_RELEASES_URL for a mirror)`);
  }
}

async function download(url: string, file: string): Promise<void> {
  const res = await get(url);
  if (!res.ok) throw new UpgradeError(`${url} answered ${res.status}${res.status === 404 ? ": no such release or file (check --version)" : ""}; nothing was changed`);
  writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
}

/** The tag `latest` points at, from the `latest/download` redirect; null when the host serves it directly. */
async function latestTag(base: string): Promise<string | null> {
  const res = await get(`${base}/latest/download/SHA256SUMS`, "manual");
  await res.body?.cancel();
  const loc = res.headers.get("location");
  if (res.status >= 300 && res.status < 400 && loc) return /\/download\/([^/]+)\/[^/]+$/.exec(new URL(loc, base).pathname)?.[1] ?? null;
  if (!res.ok) throw new UpgradeError(`${base}/latest/download/SHA256SUMS answered ${res.status}: is SCRYPTORUM_RELEASES_URL right?`);
  return null;
}

/**
 * Upgrades (or checks) the running copy.
 *
 * @example
 * await upgrade({ check: true }); // { current: "0.1.0", latest: "0.2.0", action: "available", ... }
 */
export async function upgrade(opts: UpgradeOptions = {}): Promise<UpgradeResult> {
  const log = opts.log ?? (() => {});
  const exe = process.execPath;
  const owner = managedBy(exe, isCompiled());
  if (owner) throw new UserError(`scryptorum upgrade replaces a release binary, and this copy was ${owner}`);
  const info = buildInfo();
  const target = info.target;
  const base = (process.env.SCRYPTORUM_RELEASES_URL || DEFAULT_RELEASES_URL).replace(/\/+$/, "");
  const pinned = opts.version ? normalizeTag(opts.version) : null;
  const tag = pinned ?? (await latestTag(base));
  const from = tag ? `${base}/download/${tag}` : `${base}/latest/download`;
  const result: UpgradeResult = { current: VERSION, latest: tag ? tag.replace(/^v/, "") : null, tag, target, path: exe, action: "available" };
  if (result.latest === VERSION) {
    log(`scryptorum ${VERSION} is ${pinned ? "already installed" : "the latest release"} (${exe})`);
    return { ...result, action: "up-to-date" };
  }
  if (opts.check && result.latest) {
    log(`scryptorum ${result.latest} is available (you have ${VERSION}): run \`scryptorum upgrade\``);
    return result;
  }

  const work = mkdtempSync(join(tmpdir(), "scryptorum-upgrade-"));
  try {
    const file = archiveName(target);
    log(`downloading ${file} from ${from}`);
    await download(`${from}/${file}`, join(work, file));
    await download(`${from}/SHA256SUMS`, join(work, "SHA256SUMS"));
    const sums = readFileSync(join(work, "SHA256SUMS"), "utf8");
    const expected = sums.split("\n").map((l) => l.trim().split(/\s+\*?/)).find((p) => p[1] === file)?.[0];
    if (!expected) throw new UpgradeError(`SHA256SUMS of ${tag ?? "the latest release"} lists no ${file}; nothing was changed`);
    const actual = createHash("sha256").update(readFileSync(join(work, file))).digest("hex");
    if (actual !== expected) {
      throw new UpgradeError(`checksum mismatch for ${file} (expected ${expected}, got ${actual}): the download is damaged or was tampered with; nothing was changed`);
    }
    // tar reads .tar.gz everywhere, and .zip too on Windows 10+ (bsdtar).
    const tar = spawnSync("tar", ["-xf", join(work, file), "-C", work], { encoding: "utf8" });
    if (tar.status !== 0) throw new UpgradeError(`could not unpack ${file}: ${tar.stderr || tar.error?.message}; nothing was changed`);
    const name = process.platform === "win32" ? "scryptorum.exe" : "scryptorum";
    const fresh = join(work, name);
    if (!existsSync(fresh)) throw new UpgradeError(`${file} holds no ${name}; nothing was changed`);
    chmodSync(fresh, 0o755);
    const ran = spawnSync(fresh, ["--version", "--json"], { encoding: "utf8", timeout: 60_000 });
    let reported: { version?: string; target?: string } = {};
    try {
      reported = JSON.parse(ran.stdout);
    } catch {
      throw new UpgradeError(`the downloaded scryptorum does not run here (${target}: exit ${ran.status}${ran.stderr ? `, ${ran.stderr.trim().split("\n")[0]}` : ""}); nothing was changed`);
    }
    result.latest = reported.version ?? result.latest;
    if (reported.version === VERSION && !pinned) {
      log(`scryptorum ${VERSION} is the latest release (${exe})`);
      return { ...result, action: "up-to-date" };
    }
    if (opts.check) {
      log(`scryptorum ${result.latest} is available (you have ${VERSION}): run \`scryptorum upgrade\``);
      return result;
    }
    if (opts.dryRun) {
      log(`would replace ${exe} (${VERSION}) with ${result.latest} from ${from}/${file} (checksum verified); --dry-run changed nothing`);
      return { ...result, action: "would-replace" };
    }
    // A copy beside the executable (same file system), then one rename over it: a reader
    // sees the old file or the new one, never half of one. The running process keeps its
    // open inode on Unix; Windows will not replace a running .exe, so it is moved aside.
    const dir = dirname(exe);
    const staged = join(dir, `.${basename(exe)}.new-${process.pid}`);
    try {
      copyFileSync(fresh, staged);
      chmodSync(staged, 0o755);
    } catch (error) {
      rmSync(staged, { force: true });
      throw new UpgradeError(`cannot write to ${dir}: ${(error as Error).message} (reinstall with install.sh, or run upgrade as the user that owns it); nothing was changed`);
    }
    if (process.platform === "win32") {
      const old = `${exe}.old`;
      rmSync(old, { force: true });
      renameSync(exe, old);
      try {
        renameSync(staged, exe);
      } catch (error) {
        renameSync(old, exe);
        throw error;
      }
    } else {
      renameSync(staged, exe);
    }
    log(`upgraded ${exe}: ${VERSION} -> ${result.latest}`);
    return { ...result, action: "replaced" };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
