import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mainManifest, platformManifest } from "../../../scripts/npm-packages";
import { RELEASE_TARGETS } from "../../../scripts/release";
import { libcFromLdd, missingPackageMessage, noBinaryNote, PLATFORM_PACKAGES, platformPackage } from "../../../src/npm/platform";

const root = JSON.parse(readFileSync(join(import.meta.dir, "../../../package.json"), "utf8"));

describe("platformPackage", () => {
  test.each([
    ["linux", "x64", "glibc", "@scryptorum/cli-linux-x64"],
    ["linux", "x64", "musl", "@scryptorum/cli-linux-x64-musl"],
    ["linux", "arm64", "glibc", "@scryptorum/cli-linux-arm64"],
    ["linux", "arm64", "musl", "@scryptorum/cli-linux-arm64-musl"],
    ["linux", "x64", null, "@scryptorum/cli-linux-x64"],
    ["darwin", "x64", null, "@scryptorum/cli-darwin-x64"],
    ["darwin", "arm64", null, "@scryptorum/cli-darwin-arm64"],
    ["win32", "x64", null, "@scryptorum/cli-win32-x64"],
    ["win32", "arm64", null, undefined],
    ["linux", "ppc64", "glibc", undefined],
    ["freebsd", "x64", null, undefined],
  ] as const)("%s %s %s -> %s", (platform, arch, libc, name) => {
    expect(platformPackage(platform, arch, libc)?.name).toBe(name);
  });

  test("one package per release target, Windows' executable named .exe", () => {
    expect(PLATFORM_PACKAGES.map((p) => p.target)).toEqual([...RELEASE_TARGETS]);
    expect(PLATFORM_PACKAGES.filter((p) => p.exe.endsWith(".exe")).map((p) => p.os)).toEqual(["win32"]);
  });
});

test.each([
  ["#!/bin/bash\n# This file is part of the GNU C Library.\n", "glibc"],
  ["\x7fELF...musl libc (x86_64)...", "musl"],
  ["#!/bin/sh\necho hello\n", null],
])("libcFromLdd %#", (text, libc) => {
  expect(libcFromLdd(text)).toBe(libc as "glibc" | "musl" | null);
});

describe("manifests", () => {
  test("a platform package: os, cpu and libc as npm checks them; the executable and nothing to run", () => {
    const musl = platformManifest(platformPackage("linux", "arm64", "musl")!, root);
    expect(musl).toMatchObject({ name: "@scryptorum/cli-linux-arm64-musl", version: root.version, os: ["linux"], cpu: ["arm64"], libc: ["musl"], files: ["scryptorum", "README.md", "LICENSE"] });
    const mac = platformManifest(platformPackage("darwin", "arm64", null)!, root);
    expect(mac).toMatchObject({ os: ["darwin"], cpu: ["arm64"] });
    expect(mac.libc).toBeUndefined();
    for (const m of [musl, mac]) {
      expect(m.scripts).toBeUndefined();
      expect(m.bin).toBeUndefined();
      expect(m.repository).toEqual(root.repository); // npm publish --provenance checks it
    }
  });

  test("the scryptorum package: the launcher as its command, every platform package optional at its version", () => {
    const m = mainManifest(root);
    expect(m.bin).toEqual({ scryptorum: "./dist/launcher.mjs" });
    expect(m.optionalDependencies).toEqual(Object.fromEntries(PLATFORM_PACKAGES.map((p) => [p.name, root.version])));
    expect(m.files).toContain("dist/launcher.mjs");
    expect(m.files).toContain("dist/lib");
    expect(m.files).toContain("dist/cli.mjs");
    expect(m.exports).toEqual(root.exports); // the library import is unchanged
    expect(m.scripts).toBeUndefined();
    expect(m.devDependencies).toBeUndefined();
    expect(m.dependencies).toEqual(root.dependencies);
  });
});

test("messages name the package, the version and the fixes", () => {
  const pkg = platformPackage("linux", "x64", "glibc")!;
  const alone = missingPackageMessage(pkg, "0.2.0", []);
  expect(alone).toContain("npm did not install the optional package @scryptorum/cli-linux-x64@0.2.0");
  expect(alone).toContain("--omit=optional");
  expect(alone).toContain("npm install --include=optional");
  const instead = missingPackageMessage(pkg, "0.2.0", [platformPackage("darwin", "arm64", null)!]);
  expect(instead).toContain("Installed instead: @scryptorum/cli-darwin-arm64 (macOS arm64)");
  expect(noBinaryNote("freebsd", "x64").trim().split("\n")).toHaveLength(1);
});
