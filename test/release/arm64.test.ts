/**
 * The linux arm64 release binary, run on this x64 machine under qemu (binfmt is not
 * mounted here, so qemu is called explicitly): `--version --json`, init, a trial run and
 * list-runs. And the glibc floor gate of the release build (`readelf -V`, GLIBC_2.17).
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { checkGlibcFloor, glibcNeeded, GLIBC_FLOOR, release } from "../../scripts/release";
import { spawn, tempDir, writeFiles } from "../helpers/cli";

const unpacked = new Map<string, Promise<string>>();

/** The target's release binary, unpacked once per file (110 MB to gunzip each time). */
function unpack(target: string): Promise<string> {
  let exe = unpacked.get(target);
  if (!exe) {
    exe = (async () => {
      const dir = await release({ targets: [target] });
      const out = tempDir("scry-arm-");
      expect(Bun.spawnSync(["tar", "-xzf", join(dir, `scryptorum-${target}.tar.gz`), "-C", out]).exitCode).toBe(0);
      return join(out, "scryptorum");
    })();
    unpacked.set(target, exe);
  }
  return exe;
}

test(`linux glibc release binaries need at most GLIBC_${GLIBC_FLOOR}; the gate refuses a newer need`, async () => {
  for (const target of ["linux-x64", "linux-arm64"]) {
    const exe = await unpack(target);
    const needed = glibcNeeded(exe);
    expect(needed).toMatch(/^2\.\d+$/);
    expect(checkGlibcFloor(exe)).toBe(needed);
  }
  // This machine's ls is linked against a newer glibc: the gate must refuse it.
  expect(() => checkGlibcFloor("/bin/ls")).toThrow(/\/bin\/ls needs GLIBC_2\.\d+, above the floor GLIBC_2\.17/);
}, 240_000);

test("linux arm64 binary under qemu: --version --json, init, a trial run, list-runs", async () => {
  const qemu = ["qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu", await unpack("linux-arm64")];
  const work = tempDir("scry-arm-run-");
  const v = await spawn([...qemu, "--version", "--json"], { cwd: work, timeoutMs: 60_000 });
  expect(v.stderr).toBe("");
  expect(JSON.parse(v.stdout)).toMatchObject({ target: "linux-arm64", bun_version: Bun.version });
  expect((await spawn([...qemu, "init", "--project-name", "arm"], { cwd: work, timeoutMs: 60_000 })).code).toBe(0);
  writeFiles(work, {
    "hello.ts": ['import { experiment, metric } from "scryptorum";', 'export const hello = experiment("hello")(() => metric("answer")(() => 42)());'].join("\n"),
  });
  const trial = await spawn([...qemu, "run", "hello", "-s", "hello.ts", "--json"], { cwd: work, timeoutMs: 120_000 });
  expect(trial.code).toBe(0);
  expect(JSON.parse(trial.stdout)).toMatchObject({ run_type: "trial", status: "finished", metrics: { answer: 42 } });
  const runs = await spawn([...qemu, "list-runs", "hello", "--json"], { cwd: work, timeoutMs: 60_000 });
  expect(runs.code).toBe(0);
  expect(JSON.parse(runs.stdout)).toHaveLength(1);
}, 300_000);
