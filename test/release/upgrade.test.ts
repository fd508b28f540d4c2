/**
 * `scryptorum upgrade` through the compiled binary against a GitHub-shaped release host on
 * 127.0.0.1: check, dry run, replacing the running copy, a tampered archive refused, a
 * missing release, and the npm (Node) build refusing with npm's command.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { VERSION } from "../../src/core/version";
import { REPO, spawn, tempDir } from "../helpers/cli";
import { fakeArchive, fakeRelease, writeSums, type FakeRelease } from "./fake-release";

let host: FakeRelease;
const LATEST = `v${VERSION}`;

beforeAll(async () => {
  host = await fakeRelease({ latest: LATEST });
  // v9.9.9: a "binary" that answers --version --json as a newer release would.
  const next = host.tagDir("v9.9.9");
  const work = tempDir("scry-next-");
  writeFileSync(join(work, "scryptorum"), `#!/bin/sh\nif [ "$2" = --json ]; then echo '{"version":"9.9.9","target":"linux-x64"}'; else echo 9.9.9; fi\n`, { mode: 0o755 });
  expect(Bun.spawnSync(["tar", "-C", work, "-czf", join(next, "scryptorum-linux-x64.tar.gz"), "scryptorum"]).exitCode).toBe(0);
  writeSums(next);
  // v6.6.6: SHA256SUMS made for one archive, another archive served.
  const bad = host.tagDir("v6.6.6");
  fakeArchive(bad, "linux-x64", "6.6.6");
  writeSums(bad);
  fakeArchive(bad, "linux-x64", "6.6.6-evil");
}, 240_000);

afterAll(() => host?.stop());

/** A copy of this tree's release binary, installed as install.sh would. */
function installed(): string {
  const bin = join(tempDir("scry-up-"), "bin");
  mkdirSync(bin);
  const x = tempDir("scry-up-x-");
  expect(Bun.spawnSync(["tar", "-xzf", join(host.tagDir(LATEST), "scryptorum-linux-x64.tar.gz"), "-C", x]).exitCode).toBe(0);
  copyFileSync(join(x, "scryptorum"), join(bin, "scryptorum"));
  Bun.spawnSync(["chmod", "755", join(bin, "scryptorum")]);
  return join(bin, "scryptorum");
}

const sha = (f: string) => createHash("sha256").update(readFileSync(f)).digest("hex");
const up = (bin: string, ...args: string[]) => spawn([bin, "upgrade", ...args], { cwd: tempDir(), env: { SCRYPTORUM_RELEASES_URL: host.url } });

test("--check: up to date against latest (found through the latest/download redirect)", async () => {
  const bin = installed();
  const r = await up(bin, "--check", "--json");
  expect(r.stderr).toContain(`scryptorum ${VERSION} is the latest release`);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ current: VERSION, latest: VERSION, tag: LATEST, target: "linux-x64", action: "up-to-date" });
  expect(host.requests).toContain("/latest/download/SHA256SUMS");
}, 60_000);

test("--dry-run downloads and verifies but replaces nothing; then upgrade replaces the running copy", async () => {
  const bin = installed();
  const before = sha(bin);
  const dry = await up(bin, "--version", "v9.9.9", "--dry-run", "--json");
  expect(dry.code).toBe(0);
  expect(JSON.parse(dry.stdout)).toMatchObject({ action: "would-replace", latest: "9.9.9" });
  expect(sha(bin)).toBe(before);

  const ino = statSync(bin).ino;
  const r = await up(bin, "--version", "9.9.9");
  expect(r.stderr).toContain(`upgraded ${bin}: ${VERSION} -> 9.9.9`);
  expect(r.code).toBe(0);
  expect(statSync(bin).ino).not.toBe(ino); // renamed over, not written in place
  expect(statSync(bin).mode & 0o111).toBeTruthy();
  expect(Bun.spawnSync([bin, "--version"], { stdout: "pipe" }).stdout.toString().trim()).toBe("9.9.9");
  expect(host.requests).toContain("/download/v9.9.9/SHA256SUMS");
}, 60_000);

test("a tampered archive is refused: exit 1, checksum mismatch, the binary untouched", async () => {
  const bin = installed();
  const before = sha(bin);
  const r = await up(bin, "--version", "v6.6.6");
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("checksum mismatch for scryptorum-linux-x64.tar.gz");
  expect(r.stderr).toContain("nothing was changed");
  expect(sha(bin)).toBe(before);
}, 60_000);

test("a release that does not exist: exit 1 naming the URL; a malformed tag: exit 2", async () => {
  const bin = installed();
  const r = await up(bin, "--version", "v0.0.1");
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`${host.url}/download/v0.0.1/scryptorum-linux-x64.tar.gz answered 404`);
  const bad = await up(bin, "--version", "latest-ish");
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--version "latest-ish" is not a release tag');
}, 60_000);

test("the npm package's Node CLI refuses and prints npm's command", async () => {
  const r = await spawn(["node", join(REPO, "dist", "cli.mjs"), "upgrade"], { cwd: tempDir(), env: { SCRYPTORUM_RELEASES_URL: host.url } });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("installed with npm: run `npm install -g scryptorum@latest`");
}, 60_000);
