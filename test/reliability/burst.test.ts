/**
 * A burst of records, then an event loop blocked by a busy loop, then SIGKILL 300 ms later:
 * every record of the burst is on disk and every line is whole (the contract: a record
 * logged more than 200 ms before a SIGKILL is on disk). Real processes: the library under
 * Bun (three processes appending to one run: the owner, one attached with openRun, one
 * through SCRYPTORUM_RUN_DIR), the library build under Node 20, and the compiled binary.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBinary, testEnv } from "../helpers/cli";
import { tempProject } from "../helpers/project";

const SRC = join(import.meta.dir, "../../src/index.ts");
const LIB = join(import.meta.dir, "../../dist/lib/index.mjs");
const METRICS = 500;
const EVENTS = 200;
const KILL_AFTER_MS = 300;

/**
 * The child: one record, a pause (so that, in the design this replaced, the burst's first
 * record went out at once and the rest waited for a timer), the burst (a few lines of 5 KiB
 * among short ones), then a busy loop no timer can interrupt.
 */
function child(importLine: string, getRun: string): string {
  return `${importLine}
const who = process.argv[2];
const run = ${getRun};
run.logMetric("warm_" + who, 0);
await new Promise((r) => setTimeout(r, 150));
for (let i = 0; i < ${METRICS}; i++) run.logMetric("burst_" + who, i);
for (let i = 0; i < ${EVENTS}; i++) run.logEvent("burst", { who, i, pad: "x".repeat(i % 25 === 0 ? 5000 : 100) });
process.stdout.write("BLOCKING\\n");
const until = Date.now() + 30_000;
while (Date.now() < until) {}
`;
}

async function untilBlocking(proc: Bun.Subprocess<"ignore", "pipe", "pipe">): Promise<void> {
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes("BLOCKING")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`child ended before the burst: ${await new Response(proc.stderr).text()}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
}

/** Waits until every child is in its busy loop, waits KILL_AFTER_MS, then SIGKILLs them all. */
async function burstThenKill(cmds: { cmd: string[]; env?: Record<string, string> }[], cwd: string): Promise<void> {
  const procs = cmds.map(({ cmd, env }) => Bun.spawn(cmd, { cwd, env: testEnv(env), stdin: "ignore", stdout: "pipe", stderr: "pipe" }));
  try {
    await Promise.all(procs.map(untilBlocking));
    await Bun.sleep(KILL_AFTER_MS);
  } finally {
    for (const p of procs) p.kill("SIGKILL");
  }
  for (const p of procs) expect(await p.exited).not.toBe(0);
}

/** Every line of the file parses (none torn) and each writer's whole burst is there, in order. */
function expectWholeBursts(runDir: string, writers: string[]): void {
  const lines = (file: string) => {
    const text = readFileSync(join(runDir, file), "utf8");
    expect(text.endsWith("\n")).toBe(true);
    return text
      .slice(0, -1)
      .split("\n")
      .map((l) => JSON.parse(l));
  };
  const metrics = lines("metrics.jsonl");
  const events = lines("run.jsonl");
  for (const who of writers) {
    expect(metrics.filter((m) => m.name === "burst_" + who).map((m) => m.value)).toEqual([...Array(METRICS).keys()]);
    expect(events.filter((e) => e.event_type === "burst" && e.who === who).map((e) => e.i)).toEqual([...Array(EVENTS).keys()]);
  }
}

describe("a burst, a blocked event loop, then SIGKILL", () => {
  test("library under Bun: three processes appending to one run keep every record of their bursts", async () => {
    const { dir, root } = tempProject();
    const runDir = join(root, "experiments/burst/runs/b1");
    const imp = `import { Experiment, getCurrentRun } from ${JSON.stringify(SRC)};`;
    writeFileSync(join(dir, "owner.mjs"), child(imp, `new Experiment(${JSON.stringify(root)}, "burst").createRun("milestone", "b1")`));
    writeFileSync(join(dir, "opened.mjs"), child(imp, `new Experiment(${JSON.stringify(root)}, "burst").openRun("b1")`));
    writeFileSync(join(dir, "env.mjs"), child(imp, "getCurrentRun()"));
    // The owner creates the run; the others attach once it exists.
    const owner = Bun.spawn([process.execPath, "owner.mjs", "owner"], { cwd: dir, env: testEnv(), stdout: "pipe", stderr: "pipe" });
    try {
      await untilBlocking(owner);
      await burstThenKill(
        [
          { cmd: [process.execPath, "opened.mjs", "opened"] },
          { cmd: [process.execPath, "env.mjs", "env"], env: { SCRYPTORUM_RUN_DIR: runDir } },
        ],
        dir,
      );
    } finally {
      owner.kill("SIGKILL");
    }
    expectWholeBursts(runDir, ["owner", "opened", "env"]);
  }, 30_000);

  test("library build under Node 20", async () => {
    await ensureBinary(); // builds dist/lib too
    const { dir, root } = tempProject();
    const imp = `import { Experiment } from ${JSON.stringify(LIB)};`;
    writeFileSync(join(dir, "node.mjs"), child(imp, `new Experiment(${JSON.stringify(root)}, "burst").createRun("milestone", "n1")`));
    await burstThenKill([{ cmd: [Bun.which("node")!, "node.mjs", "node"] }], dir);
    expectWholeBursts(join(root, "experiments/burst/runs/n1"), ["node"]);
  }, 120_000);

  test("compiled binary: a script run by `scryptorum run`", async () => {
    const binary = await ensureBinary();
    const { dir, root } = tempProject();
    writeFileSync(join(dir, "burst.ts"), child('import { getCurrentRun } from "scryptorum";', "getCurrentRun()!"));
    await burstThenKill([{ cmd: [binary, "run", "burst", "-s", "burst.ts", "--milestone", "--run-id", "c1", "--project-root", root, "--", "cli"] }], dir);
    expectWholeBursts(join(root, "experiments/burst/runs/c1"), ["cli"]);
  }, 120_000);
});
