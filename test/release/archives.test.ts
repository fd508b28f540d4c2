/**
 * The release files of CONTRACT.md section 4: archive names and contents, SHA256SUMS in
 * sha256sum's format, and `--version --json` of a release binary.
 */
import { expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { archiveName, release, RELEASE_TARGETS, zipOne } from "../../scripts/release";
import { tempDir } from "../helpers/cli";

test.each([
  ["linux-x64", "scryptorum-linux-x64.tar.gz"],
  ["linux-arm64-musl", "scryptorum-linux-arm64-musl.tar.gz"],
  ["windows-x64", "scryptorum-windows-x64.zip"],
])("archiveName(%s) = %s", (target, name) => {
  expect(archiveName(target)).toBe(name);
});

test("the seven targets of the contract", () => {
  expect([...RELEASE_TARGETS].sort()).toEqual(["darwin-arm64", "darwin-x64", "linux-arm64", "linux-arm64-musl", "linux-x64", "linux-x64-musl", "windows-x64"]);
});

test("zipOne writes a zip that unzip reads back byte for byte", () => {
  const dir = tempDir("scry-zip-");
  const data = Buffer.from("MZ".repeat(50_000) + "end");
  writeFileSync(join(dir, "a.zip"), zipOne("scryptorum.exe", data));
  const t = Bun.spawnSync(["unzip", "-t", join(dir, "a.zip")], { stdout: "pipe" });
  expect(t.exitCode).toBe(0);
  expect(Bun.spawnSync(["unzip", "-o", "-d", join(dir, "x"), join(dir, "a.zip")]).exitCode).toBe(0);
  expect(readFileSync(join(dir, "x", "scryptorum.exe")).equals(data)).toBe(true);
});

test("a release archive holds the executable alone at its top level, listed in SHA256SUMS; --version --json", async () => {
  const dir = await release({ targets: ["linux-x64"] });
  const list = Bun.spawnSync(["tar", "-tzf", join(dir, "scryptorum-linux-x64.tar.gz")], { stdout: "pipe" });
  expect(list.stdout.toString().trim()).toBe("scryptorum");
  const check = Bun.spawnSync(["sha256sum", "--check", "--ignore-missing", "SHA256SUMS"], { cwd: dir, stdout: "pipe" });
  expect(check.exitCode).toBe(0);
  expect(check.stdout.toString()).toContain("scryptorum-linux-x64.tar.gz: OK");
  expect(check.stdout.toString()).toContain("install.sh: OK");
  const out = tempDir("scry-untar-");
  expect(Bun.spawnSync(["tar", "-xzf", join(dir, "scryptorum-linux-x64.tar.gz"), "-C", out]).exitCode).toBe(0);
  const v = Bun.spawnSync([join(out, "scryptorum"), "--version", "--json"], { stdout: "pipe" });
  expect(v.exitCode).toBe(0);
  const info = JSON.parse(v.stdout.toString());
  expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(info.target).toBe("linux-x64");
  expect(info.bun_version).toBe(Bun.version);
  expect(info.commit).toMatch(/^([0-9a-f]{7,}|unknown)$/);
  expect(Date.parse(info.build_date)).toBeGreaterThan(Date.parse("2026-01-01"));
  // Plain --version is unchanged; --json elsewhere at the root is still an unknown option.
  expect(Bun.spawnSync([join(out, "scryptorum"), "--version"], { stdout: "pipe" }).stdout.toString().trim()).toBe(info.version);
  expect(Bun.spawnSync([join(out, "scryptorum"), "--json"], { stderr: "pipe" }).exitCode).toBe(2);
}, 120_000);
