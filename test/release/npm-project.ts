/**
 * A temp npm project that installs packed tarballs offline: its package-lock.json takes
 * the library's dependencies from this repository's lockfile (their tarballs are in npm's
 * cache since `npm install` here), and points the packed packages at their files, so
 * `npm install --offline` needs no registry.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, spawn, tempDir, type Result } from "../helpers/cli";

export interface Packed {
  /** The tarball's path. */
  file: string;
  /** Its package.json. */
  manifest: Record<string, any>;
}

/** `npm pack` of package folders into one folder; returns each tarball with its manifest. */
export async function npmPack(dirs: string[]): Promise<Packed[]> {
  const dest = tempDir("scry-npm-pack-");
  const r = await spawn(["npm", "pack", "--json", "--pack-destination", dest, ...dirs], { cwd: dest, timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { filename: string }[];
  return out.map((o, i) => ({ file: join(dest, o.filename), manifest: JSON.parse(readFileSync(join(dirs[i]!, "package.json"), "utf8")) }));
}

/**
 * A package folder packed as `npm pack` would (its package.json and the files its `files`
 * field names, under `package/`) but gzipped at level 1: `npm pack` spends ~7 s of CPU on
 * the 110 MB platform binary (level 9, then its hashes), this ~2 s; npm installs either alike.
 * For packages whose `files` are plain file names (the platform packages).
 */
export async function npmPackFast(dir: string): Promise<Packed> {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, any>;
  const paths = ["package.json", ...(manifest.files as string[])];
  const file = join(tempDir("scry-npm-pack-"), `${manifest.name.replace(/^@/, "").replace("/", "-")}-${manifest.version}.tgz`);
  const tar = `tar -C '${dir}' --transform 's,^,package/,' --owner=0 --group=0 --numeric-owner -cf - ${paths.map((p) => `'${p}'`).join(" ")} | gzip -1 > '${file}'`;
  const r = await spawn(["sh", "-c", tar], { cwd: dir, timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`packing ${dir} failed: ${r.stderr}`);
  return { file, manifest };
}

const integrity = (file: string) => `sha512-${createHash("sha512").update(readFileSync(file)).digest("base64")}`;

/**
 * A project depending on `root` (the packed scryptorum), with `optional` (packed platform
 * packages) in its lockfile as scryptorum's optional dependencies, as npm would lock them.
 */
export function npmProject(root: Packed, optional: Packed[]): string {
  const dir = tempDir("scry-npm-proj-");
  const repoLock = JSON.parse(readFileSync(join(REPO, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
  const spec = `file:${root.file}`;
  const packages: Record<string, unknown> = { "": { name: "npm-test", dependencies: { scryptorum: spec } } };
  // Entries not marked dev: the closure of the library's own dependencies.
  for (const [path, entry] of Object.entries(repoLock.packages)) if (path && !entry.dev) packages[path] = entry;
  const m = root.manifest;
  packages["node_modules/scryptorum"] = {
    version: m.version,
    resolved: spec,
    integrity: integrity(root.file),
    license: m.license,
    dependencies: m.dependencies,
    optionalDependencies: m.optionalDependencies,
    bin: m.bin,
    engines: m.engines,
  };
  for (const p of optional) {
    const pm = p.manifest;
    packages[`node_modules/${pm.name}`] = { version: pm.version, resolved: `file:${p.file}`, integrity: integrity(p.file), license: pm.license, optional: true, os: pm.os, cpu: pm.cpu, ...(pm.libc ? { libc: pm.libc } : {}) };
  }
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "npm-test", private: true, dependencies: { scryptorum: spec } }, null, 2)}\n`);
  writeFileSync(join(dir, "package-lock.json"), `${JSON.stringify({ name: "npm-test", lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  return dir;
}

/** `npm install --offline` in a project made by npmProject, with extra flags. */
export async function npmInstall(dir: string, ...flags: string[]): Promise<Result> {
  const r = await spawn(["npm", "install", "--offline", "--no-audit", "--no-fund", ...flags], { cwd: dir, timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`npm install ${flags.join(" ")} failed (exit ${r.code}): ${r.stderr}`);
  return r;
}
