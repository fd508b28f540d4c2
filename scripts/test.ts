/**
 * The test command (`npm test` / `bun run test`): builds the binary and the library if
 * needed, runs every bun:test suite, and ends with one line `tests: N passed, N failed`.
 * Extra arguments go to `bun test` (a path filter, say).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const bun = process.execPath;

function step(title: string, args: string[]) {
  process.stderr.write(`\n» ${title}\n`);
  const r = spawnSync(bun, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    process.stderr.write(`${title} failed (exit ${r.status})\n`);
    console.log("tests: 0 passed, 1 failed");
    process.exit(r.status ?? 1);
  }
}

if (existsSync(join(root, "scripts/setup-browser.ts"))) step("browser for the viewer tests", ["scripts/setup-browser.ts"]);
step("Debian tools for the release tests", ["scripts/setup-tools.ts"]);
step("build", ["scripts/build.ts"]);
step("Ceph S3 server packages for the team-bucket tests", ["scripts/setup-s3.ts"]);

// Every temp folder of the run (tests, binaries they spawn, the S3 server's data) goes under
// one TMPDIR removed at the end, so a CI machine's disk does not fill up run after run.
const suiteTmp = mkdtempSync(join(tmpdir(), "scryptorum-suite-"));
process.env.TMPDIR = suiteTmp;
process.on("exit", () => rmSync(suiteTmp, { recursive: true, force: true }));

// One S3 server (Ceph radosgw, ~3 s to start) for the whole run, stopped by pid at the end.
// If it cannot start, the team-bucket tests fail with the reason and the rest still run.
const { startS3Server, stopS3Server } = await import("./s3-server");
process.stderr.write("\n» S3 server (Ceph) for the team-bucket tests\n");
const s3env: Record<string, string> = {};
try {
  const s3 = await startS3Server();
  process.on("exit", () => stopS3Server(s3));
  s3env.SCRYPTORUM_TEST_S3 = JSON.stringify(s3);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`S3 server failed to start; the team-bucket tests will fail:\n${message}\n`);
  s3env.SCRYPTORUM_TEST_S3_ERROR = message;
}

// Test files run in parallel workers (one per core, bun's default): most of the suite waits
// on the processes, servers and installs it starts, so files overlap well. Files that share
// something build it under a lock (dist/, dist/release: scripts/build.ts withBuildLock).
// `npm test -- --parallel=1` runs them one after another. test/timings.json (per-file
// durations) makes the slowest files start first; `npm test -- --update-timings` refreshes it.
const extra = process.argv.slice(2);
const parallel = extra.some((a) => a.startsWith("--parallel")) ? [] : ["--parallel"];
if (existsSync(join(root, "test", "timings.json")) && !extra.some((a) => a.startsWith("--timings"))) parallel.push("--timings=test/timings.json");
process.stderr.write(`\n» bun test ${[...parallel, ...extra].join(" ")}\n`);
const child = spawn(bun, ["test", "--timeout", "60000", ...parallel, ...extra], { cwd: root, stdio: ["ignore", "inherit", "pipe"], env: { ...process.env, NO_COLOR: "1", ...s3env } });
let tail = "";
child.stderr.on("data", (chunk: Buffer) => {
  process.stderr.write(chunk);
  tail = (tail + chunk.toString("utf8")).slice(-4000);
});
child.on("close", (code) => {
  const passed = Number(/(\d+) pass\b/.exec(tail)?.[1] ?? 0);
  const failed = Number(/(\d+) fail\b/.exec(tail)?.[1] ?? 0);
  // A load error or an empty run exits non-zero with no failure counted: count it as one.
  const shownFailed = code !== 0 && failed === 0 ? 1 : failed;
  console.log(`tests: ${passed} passed, ${shownFailed} failed`);
  process.exit(code ?? 1);
});
