/**
 * install.sh against a GitHub-shaped release host on loopback, run under dash (a POSIX sh,
 * Debian's /bin/sh): the real linux-x64 release built from this tree as the latest tag,
 * small stand-in archives for other versions and platforms (picked by stubbed uname/ldd).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, tempDir } from "../helpers/cli";
import { fakeArchive, fakeRelease, writeSums, type FakeRelease } from "./fake-release";

const INSTALL_SH = join(REPO, "install.sh");
let host: FakeRelease;

beforeAll(async () => {
  host = await fakeRelease({ latest: "v0.1.0" });
  // An older version, and other platforms' archives (stand-ins: only the choice matters).
  fakeArchive(host.tagDir("v0.0.9"), "linux-x64", "0.0.9");
  writeSums(host.tagDir("v0.0.9"));
  const other = host.tagDir("v0.0.8");
  for (const t of ["linux-x64-musl", "linux-arm64", "linux-arm64-musl", "darwin-arm64", "darwin-x64"]) fakeArchive(other, t, "0.0.8");
  writeSums(other);
  // A tampered release: the real archive with one byte more, listed with the real sum.
  const bad = host.tagDir("v6.6.6");
  cpSync(join(host.tagDir("v0.1.0"), "scryptorum-linux-x64.tar.gz"), join(bad, "scryptorum-linux-x64.tar.gz"));
  cpSync(join(host.tagDir("v0.1.0"), "SHA256SUMS"), join(bad, "SHA256SUMS"));
  writeFileSync(join(bad, "scryptorum-linux-x64.tar.gz"), Buffer.concat([readFileSync(join(bad, "scryptorum-linux-x64.tar.gz")), Buffer.from("x")]));
}, 120_000);
afterAll(() => host?.stop());

interface Install {
  code: number;
  stderr: string;
  home: string;
  bin: string;
}

/** Stubs on PATH, first: `uname`, `ldd`, `sysctl` answering as another machine would. */
function stubs(answers: { s: string; m: string; ldd?: string; rosetta?: boolean }): string {
  const dir = tempDir("scry-stubs-");
  writeFileSync(join(dir, "uname"), `#!/bin/sh\ncase "$1" in -s) echo ${answers.s};; -m) echo ${answers.m};; *) echo ${answers.s};; esac\n`, { mode: 0o755 });
  writeFileSync(join(dir, "ldd"), `#!/bin/sh\necho "${answers.ldd ?? "ldd (Debian GLIBC 2.36-9) 2.36"}"\n`, { mode: 0o755 });
  writeFileSync(join(dir, "sysctl"), `#!/bin/sh\necho ${answers.rosetta ? 1 : 0}\n`, { mode: 0o755 });
  return dir;
}

// Asynchronous spawns: the release host runs in this process, so a blocking spawn would
// stop it from answering.
async function install(args: string[] = [], opts: { env?: Record<string, string>; home?: string; tty?: boolean; stubDir?: string } = {}): Promise<Install> {
  const home = opts.home ?? tempDir("scry-home-");
  const env: Record<string, string> = {
    PATH: `${opts.stubDir ? `${opts.stubDir}:` : ""}/usr/local/bin:/usr/bin:/bin`,
    HOME: home,
    SHELL: "/bin/bash",
    SCRYPTORUM_RELEASES_URL: host.url,
    NO_PROXY: "127.0.0.1",
    ...opts.env,
  };
  const cmd = ["dash", INSTALL_SH, ...args];
  // `script` gives the installer a terminal, as an interactive `curl … | sh` has on stdout.
  const argv = opts.tty ? ["script", "-qec", cmd.map((a) => `'${a}'`).join(" "), "/dev/null"] : cmd;
  const p = Bun.spawn(argv, { env, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  const bin = join(env.SCRYPTORUM_INSTALL ?? join(home, ".scryptorum"), "bin", "scryptorum");
  return { code, stderr: err + out, home, bin };
}

const T = 60_000;
const version = (bin: string) => Bun.spawnSync([bin, "--version"], { stdout: "pipe" }).stdout.toString().trim();

describe("install.sh", () => {
  test("passes shellcheck as a POSIX sh script", async () => {
    const r = Bun.spawnSync(["shellcheck", "-s", "sh", INSTALL_SH], { stdout: "pipe", stderr: "pipe" });
    expect(r.stdout.toString() + r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
  }, 60_000);

  test("installs the latest release through latest/download, verifies it and runs it (under dash)", async () => {
    const before = host.requests.length;
    const r = await install();
    expect(r.code).toBe(0);
    expect(version(r.bin)).toBe("0.1.0");
    expect(r.stderr).toContain(`installed 0.1.0 to ${r.bin}`);
    const asked = host.requests.slice(before);
    expect(asked).toContain("/latest/download/scryptorum-linux-x64.tar.gz");
    expect(asked).toContain("/latest/download/SHA256SUMS");
    expect(asked.some((p) => p.includes("/api"))).toBe(false);
    // No terminal: PATH is explained, no rc file is touched.
    expect(r.stderr).toContain("add it to your PATH");
    expect(existsSync(join(r.home, ".bashrc"))).toBe(false);
  }, 60_000);

  test("the installed binary works: init and a trial run", async () => {
    const r = await install();
    const dir = tempDir("scry-installed-");
    writeFileSync(join(dir, "exp.ts"), `import { experiment, getCurrentRun } from "scryptorum";\nexport default experiment()(() => {\n  getCurrentRun()!.logMetric("ok", 1);\n});\n`);
    const init = Bun.spawnSync([r.bin, "init"], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { PATH: "/usr/bin:/bin", HOME: r.home, NO_COLOR: "1" } });
    expect(init.exitCode).toBe(0);
    const run = Bun.spawnSync([r.bin, "run", "smoke", "-m", "exp.ts", "--json"], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { PATH: "/usr/bin:/bin", HOME: r.home, NO_COLOR: "1" } });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout.toString())).toMatchObject({ run_type: "trial", status: "finished", metrics: { ok: 1 } });
  }, 60_000);

  test("--version and SCRYPTORUM_VERSION pin a release; installing again upgrades in place", async () => {
    const home = tempDir("scry-home-");
    const before = host.requests.length;
    const pinned = await install(["--version", "v0.0.9"], { home });
    expect(pinned.code).toBe(0);
    expect(version(pinned.bin)).toBe("0.0.9 linux-x64");
    expect(host.requests.slice(before)).toContain("/download/v0.0.9/scryptorum-linux-x64.tar.gz");
    const upgraded = await install([], { home });
    expect(upgraded.code).toBe(0);
    expect(upgraded.bin).toBe(pinned.bin);
    expect(version(upgraded.bin)).toBe("0.1.0");
    const byEnv = await install([], { home, env: { SCRYPTORUM_VERSION: "0.0.9" } });
    expect(byEnv.code).toBe(0);
    expect(version(byEnv.bin)).toBe("0.0.9 linux-x64");
  }, 60_000);

  test("a tampered archive is refused: non-zero exit, nothing installed, an earlier install untouched", async () => {
    const fresh = await install(["--version", "v6.6.6"]);
    expect(fresh.code).not.toBe(0);
    expect(fresh.stderr).toContain("checksum mismatch for scryptorum-linux-x64.tar.gz");
    expect(existsSync(fresh.bin)).toBe(false);
    const home = tempDir("scry-home-");
    expect((await install(["--version", "v0.0.9"], { home })).code).toBe(0);
    const again = await install(["--version", "v6.6.6"], { home });
    expect(again.code).not.toBe(0);
    expect(version(again.bin)).toBe("0.0.9 linux-x64");
  }, 60_000);

  test.each([
    [{ s: "Linux", m: "aarch64" }, "linux-arm64", false],
    [{ s: "Linux", m: "aarch64", ldd: "musl libc (aarch64)" }, "linux-arm64-musl", true],
    [{ s: "Linux", m: "x86_64", ldd: "musl libc (x86_64)" }, "linux-x64-musl", true],
    [{ s: "Darwin", m: "arm64" }, "darwin-arm64", false],
    [{ s: "Darwin", m: "x86_64", rosetta: true }, "darwin-arm64", false],
    [{ s: "Darwin", m: "x86_64" }, "darwin-x64", false],
  ] as const)("uname/ldd saying %o pick %s", async (answers, target, musl) => {
    const r = await install(["--version", "v0.0.8"], { stubDir: stubs(answers) });
    expect(r.code).toBe(0);
    expect(version(r.bin)).toBe(`0.0.8 ${target}`);
    expect(r.stderr.includes("apk add libstdc++ libgcc")).toBe(musl);
  }, 60_000);

  // The PATH and folder choices do not depend on the archive: these install the small
  // stand-in release v0.0.9 (the real binary's install is tested above).
  const small = ["--version", "v0.0.9"];

  test("a terminal gets its shell rc edited once; CI, --no-modify-path and GitHub Actions never edit it", async () => {
    const home = tempDir("scry-home-");
    expect((await install(small, { home, tty: true })).code).toBe(0);
    expect((await install(small, { home, tty: true })).code).toBe(0);
    const rc = readFileSync(join(home, ".bashrc"), "utf8");
    expect(rc.match(/export PATH="[^"]*\/\.scryptorum\/bin:\$PATH"/g)?.length).toBe(1);

    const ci = await install(small, { tty: true, env: { CI: "true" } });
    expect(ci.code).toBe(0);
    expect(existsSync(join(ci.home, ".bashrc"))).toBe(false);
    const optOut = await install([...small, "--no-modify-path"], { tty: true });
    expect(existsSync(join(optOut.home, ".bashrc"))).toBe(false);

    const gh = tempDir("scry-gh-");
    mkdirSync(gh, { recursive: true });
    const ghPath = join(gh, "GITHUB_PATH");
    writeFileSync(ghPath, "");
    const actions = await install(small, { tty: true, env: { CI: "true", GITHUB_PATH: ghPath } });
    expect(actions.code).toBe(0);
    expect(readFileSync(ghPath, "utf8")).toBe(`${join(actions.home, ".scryptorum", "bin")}\n`);
    expect(existsSync(join(actions.home, ".bashrc"))).toBe(false);
  }, 60_000);

  test("SCRYPTORUM_INSTALL chooses the folder; an unknown option is refused", async () => {
    const dir = tempDir("scry-inst-");
    const r = await install(small, { env: { SCRYPTORUM_INSTALL: dir } });
    expect(r.code).toBe(0);
    expect(r.bin).toBe(join(dir, "bin", "scryptorum"));
    expect(version(r.bin)).toBe("0.0.9 linux-x64");
    const bad = await install(["--nope"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("unknown option --nope");
  }, 60_000);
});
