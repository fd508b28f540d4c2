/**
 * A GitHub-shaped release host on 127.0.0.1 for the install and upgrade tests:
 * `/download/<tag>/<file>` serves a folder per tag, `/latest/download/<file>` redirects to the
 * latest tag (as github.com does), and every request path is recorded.
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { release, RELEASE_DIR } from "../../scripts/release";
import { tempDir } from "../helpers/cli";

export interface FakeRelease {
  url: string;
  /** Request paths, in order. */
  requests: string[];
  /** The folder of a tag (files can be added or damaged by a test). */
  tagDir(tag: string): string;
  stop(): void;
}

const sha = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/** Rewrites a tag's SHA256SUMS over the files it holds. */
export function writeSums(dir: string): void {
  const files = readdirSync(dir).filter((f) => f !== "SHA256SUMS").sort();
  writeFileSync(join(dir, "SHA256SUMS"), files.map((f) => `${sha(readFileSync(join(dir, f)))}  ${f}\n`).join(""));
}

/**
 * A tar.gz holding a `scryptorum` shell script that prints `version`: stands for another
 * platform's or another version's binary, where only which file is chosen matters.
 */
export function fakeArchive(dir: string, target: string, version: string): void {
  const work = tempDir("scry-fake-");
  writeFileSync(join(work, "scryptorum"), `#!/bin/sh\necho "${version} ${target}"\n`, { mode: 0o755 });
  const r = Bun.spawnSync(["tar", "-C", work, "-czf", join(dir, `scryptorum-${target}.tar.gz`), "scryptorum"]);
  if (r.exitCode !== 0) throw new Error(`tar failed: ${r.stderr}`);
}

/**
 * Serves `latest` (the real linux-x64 release built from this tree) and any extra tags.
 *
 * @example
 * const host = await fakeRelease({ latest: "v0.1.0" });
 */
export async function fakeRelease(opts: { latest: string }): Promise<FakeRelease> {
  await release({ targets: ["linux-x64"] });
  const root = tempDir("scry-releases-");
  const tagDir = (tag: string) => {
    const d = join(root, tag);
    if (!existsSync(d)) mkdirSync(d, { recursive: true });
    return d;
  };
  const latest = tagDir(opts.latest);
  // Not the work folder nor an archive another test file is building (it appears by rename).
  for (const f of readdirSync(RELEASE_DIR)) if (f !== ".work" && !f.includes(".tmp-")) cpSync(join(RELEASE_DIR, f), join(latest, f));
  const requests: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      requests.push(path);
      const m = /^\/latest\/download\/([^/]+)$/.exec(path);
      if (m) return Response.redirect(`/download/${opts.latest}/${m[1]}`, 302);
      const d = /^\/download\/([^/]+)\/([^/]+)$/.exec(path);
      if (d && existsSync(join(root, d[1]!, d[2]!))) return new Response(Bun.file(join(root, d[1]!, d[2]!)));
      return new Response("Not Found", { status: 404 });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, tagDir, stop: () => server.stop(true) };
}
