/**
 * `bun run build -- --release [--targets linux-x64,...] [--force]`
 *
 * Writes the release files of CONTRACT.md section 4 into `dist/release/`: one archive per
 * target, `scryptorum-<target>.tar.gz` (`.zip` for Windows) holding the executable at its
 * top level, `install.sh`, `install.ps1`, and `SHA256SUMS` in `sha256sum` format over all of
 * them. Served as a GitHub release (versionless names), `<base>/latest/download/<file>` is
 * stable. An archive newer than every source is kept; `--targets` builds a subset (tests).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { buildDefine, bunBuild, COMPILE_FLAGS, sha256, upToDate, withBuildLock } from "./build";

const ROOT = join(import.meta.dir, "..");
export const RELEASE_DIR = join(ROOT, "dist", "release");

/** The release targets (CONTRACT.md section 4) and the Bun target each compiles with. */
export const RELEASE_TARGETS = ["linux-x64", "linux-x64-musl", "linux-arm64", "linux-arm64-musl", "darwin-x64", "darwin-arm64", "windows-x64"] as const;
export type ReleaseTarget = (typeof RELEASE_TARGETS)[number];

/**
 * The archive's file name for a target.
 *
 * @example
 * archiveName("windows-x64"); // "scryptorum-windows-x64.zip"
 */
export function archiveName(target: string): string {
  return `scryptorum-${target}${target.startsWith("windows") ? ".zip" : ".tar.gz"}`;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A zip archive of one file (deflated), enough for a Windows release: no `zip` needed on
 * the build machine, and Windows' own `Expand-Archive` reads it.
 */
export function zipOne(name: string, data: Uint8Array, mode = 0o755): Buffer {
  const packed = deflateRawSync(data, { level: 9 });
  const nameBytes = Buffer.from(name, "utf8");
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt32LE(0, 10); // time and date: 1980-01-01, reproducible
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(0x0314, 4); // made by: Unix, so the mode below counts
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(0, 12);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(packed.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE(((0o100000 | mode) << 16) >>> 0, 38); // external attributes
  central.writeUInt32LE(0, 42); // offset of the local header
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(local.length + nameBytes.length + packed.length, 16);
  return Buffer.concat([local, nameBytes, packed, central, nameBytes, end]);
}

/** The oldest glibc a linux glibc binary may need (CentOS 7, Amazon Linux 2, Debian 8). */
export const GLIBC_FLOOR = "2.17";

/**
 * The highest `GLIBC_x.y` version an ELF file requires, from `readelf -V` (its version-needs
 * section); null when it needs none (a musl or static binary).
 */
export function glibcNeeded(file: string): string | null {
  const r = Bun.spawnSync(["readelf", "-V", "--wide", file], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`readelf -V ${file} failed (is binutils installed?): ${r.stderr.toString()}`);
  const versions = [...r.stdout.toString().matchAll(/Name: GLIBC_(\d+)\.(\d+)(?:\.(\d+))?/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] as const);
  if (!versions.length) return null;
  const [a, b, c] = versions.reduce((x, y) => (y[0] - x[0] || y[1] - x[1] || y[2] - x[2]) > 0 ? y : x);
  return c ? `${a}.${b}.${c}` : `${a}.${b}`;
}

/** Returns what the file needs; throws when that is a glibc newer than GLIBC_FLOOR. */
export function checkGlibcFloor(file: string): string | null {
  const needed = glibcNeeded(file);
  if (!needed) return null;
  const [n, f] = [needed.split(".").map(Number), GLIBC_FLOOR.split(".").map(Number)];
  for (let i = 0; i < 3; i++) {
    if ((n[i] ?? 0) === (f[i] ?? 0)) continue;
    if ((n[i] ?? 0) > (f[i] ?? 0)) {
      throw new Error(`${file} needs GLIBC_${needed}, above the floor GLIBC_${GLIBC_FLOOR} (readelf -V): it would not start on older Linux distributions`);
    }
    break;
  }
  return needed;
}

/** Compiles one target and packs it; returns the archive's path. */
function buildTarget(target: string, force: boolean): string {
  const archive = join(RELEASE_DIR, archiveName(target));
  if (!force && upToDate([archive])) return archive;
  const exe = target.startsWith("windows") ? "scryptorum.exe" : "scryptorum";
  const work = join(RELEASE_DIR, ".work", target);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  bunBuild("commands/cli.ts", join(work, exe), [...COMPILE_FLAGS, `--target=bun-${target}`, ...buildDefine(target)], true);
  // The glibc floor gate: a Bun upgrade that raised it must not ship unnoticed.
  if (target.startsWith("linux-") && !target.endsWith("-musl")) checkGlibcFloor(join(work, exe));
  const tmp = `${archive}.tmp-${process.pid}`;
  if (exe.endsWith(".exe")) writeFileSync(tmp, zipOne(exe, readFileSync(join(work, exe))));
  else {
    const r = Bun.spawnSync(["tar", "-C", work, "-czf", tmp, exe], { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`Failed to pack ${target}: tar: ${r.stderr.toString()}`);
  }
  renameSync(tmp, archive);
  rmSync(work, { recursive: true, force: true });
  return archive;
}

export interface ReleaseOptions {
  /** A subset of RELEASE_TARGETS (default: all). */
  targets?: string[];
  force?: boolean;
}

/**
 * Builds the release folder; returns its path.
 *
 * @example
 * await release({ targets: ["linux-x64"] }); // dist/release/scryptorum-linux-x64.tar.gz, SHA256SUMS
 */
export async function release(opts: ReleaseOptions = {}): Promise<string> {
  const targets = opts.targets ?? [...RELEASE_TARGETS];
  const unknown = targets.filter((t) => !(RELEASE_TARGETS as readonly string[]).includes(t));
  if (unknown.length) throw new Error(`unknown release target ${unknown[0]}: use one of ${RELEASE_TARGETS.join(", ")}`);
  // Under the build lock: test files running in parallel workers ask for the same archive.
  return withBuildLock(() => {
    mkdirSync(RELEASE_DIR, { recursive: true });
    for (const t of targets) {
      process.stderr.write(`release: ${archiveName(t)}\n`);
      buildTarget(t, !!opts.force);
    }
    for (const script of ["install.sh", "install.ps1"]) replaceIfChanged(join(RELEASE_DIR, script), readFileSync(join(ROOT, script)), statSync(join(ROOT, script)).mode);
    const files = readdirSync(RELEASE_DIR)
      .filter((f) => f.startsWith("scryptorum-") || f.startsWith("install."))
      .filter((f) => !f.includes(".tmp-"))
      .sort();
    replaceIfChanged(join(RELEASE_DIR, "SHA256SUMS"), Buffer.from(files.map((f) => `${sha256(join(RELEASE_DIR, f))}  ${f}\n`).join("")));
    process.stderr.write(`release: ${files.length} files and SHA256SUMS in dist/release\n`);
    return RELEASE_DIR;
  });
}

/** Writes `data` to `path` through a temp file and a rename, unless it holds that already: a reader never sees half a file. */
function replaceIfChanged(path: string, data: Buffer, mode = 0o644): void {
  if (existsSync(path) && readFileSync(path).equals(data) && (statSync(path).mode & 0o777) === (mode & 0o777)) return;
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode: mode & 0o777 });
  renameSync(tmp, path);
}

