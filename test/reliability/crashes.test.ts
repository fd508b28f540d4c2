/**
 * Crashes and metadata: a blocked live run, a second SIGINT, run.json under rewrite,
 * and a full disk during a flush.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Experiment, Project } from "../../src/index";
import { reportedStatus, readRunJson } from "../../src/core/runfile";
import { tempDir, tempProject } from "../helpers/project";

const CHILD = (name: string) => join(import.meta.dir, "../fixtures/children", name);

async function readUntil(stream: ReadableStream<Uint8Array>, marker: string) {
  const reader = stream.getReader();
  let text = "";
  while (!text.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${marker}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
}

describe("crashes", () => {
  test("a live run whose event loop is blocked for 3 s still reads as running", async () => {
    const { root } = tempProject();
    const proc = Bun.spawn([process.execPath, CHILD("live.ts"), root, "3000"], { stdout: "pipe", stderr: "pipe" });
    await readUntil(proc.stdout, "BLOCKING");
    const exp = new Experiment(root, "live");
    for (let i = 0; i < 5; i++) {
      await Bun.sleep(400);
      expect(exp.listRuns()[0]!.status).toBe("running");
    }
    expect(await proc.exited).toBe(0);
    expect(exp.listRuns()[0]!.status).toBe("finished");
  });

  test("a record logged before the event loop blocks is on disk when SIGKILL comes 300 ms later", async () => {
    const { root } = tempProject();
    const proc = Bun.spawn([process.execPath, CHILD("busy.ts"), root], { stdout: "pipe", stderr: "pipe" });
    await readUntil(proc.stdout, "READY");
    await Bun.sleep(300);
    proc.kill("SIGKILL");
    await proc.exited;
    const dir = join(root, "experiments/busy/runs/b1");
    expect(readFileSync(join(dir, "metrics.jsonl"), "utf8")).toContain('"name":"lone"');
    expect(readFileSync(join(dir, "run.jsonl"), "utf8")).toContain('"event_type":"run_started"');
    expect(new Experiment(root, "busy").listRuns()[0]!.status).toBe("crashed");
  });

  test("SIGINT gives interrupted and exit 130; a second SIGINT while the first is handled exits at once", async () => {
    const { root } = tempProject();
    const proc = Bun.spawn([process.execPath, CHILD("sigint-twice.ts"), root], { stdout: "pipe", stderr: "pipe" });
    await readUntil(proc.stdout, "READY");
    proc.kill("SIGINT");
    proc.kill("SIGINT");
    const started = Date.now();
    expect(await proc.exited).toBe(130);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(readRunJson(join(root, "experiments/twice/runs/twice")).status).toBe("interrupted");
  });

  test("with signal-exit loaded, one SIGINT still ends the process: exit 130, run interrupted, its handler ran", async () => {
    const { root } = tempProject();
    const proc = Bun.spawn([process.execPath, CHILD("with-signal-exit.ts"), root], { stdout: "pipe", stderr: "pipe" });
    await readUntil(proc.stdout, "READY");
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);
    expect(readRunJson(join(root, "experiments/se/runs/se1")).status).toBe("interrupted");
    expect(await new Response(proc.stderr).text()).toContain("signal-exit handler ran");
  });

  test("a SIGINT listener of the user's that never exits: the run stays open; a second SIGINT ends the process, interrupted", async () => {
    const { root } = tempProject();
    const proc = Bun.spawn([process.execPath, CHILD("signals2.ts"), root, "noop-listener"], { stdout: "pipe", stderr: "pipe" });
    await readUntil(proc.stdout, "READY");
    proc.kill("SIGINT");
    await Bun.sleep(300);
    expect(readRunJson(join(root, "experiments/sig/runs/noop-listener")).status).toBe("running");
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);
    expect(readRunJson(join(root, "experiments/sig/runs/noop-listener")).status).toBe("interrupted");
  });

  test("a user SIGINT handler registered before the run that calls process.exit(130): the run reads interrupted", async () => {
    const { root } = tempProject();
    const proc = Bun.spawn([process.execPath, CHILD("signals2.ts"), root, "early-exit"], { stdout: "pipe", stderr: "pipe" });
    await readUntil(proc.stdout, "READY");
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);
    expect(readRunJson(join(root, "experiments/sig/runs/early-exit")).status).toBe("interrupted");
  });

  test("a record a straggling task logs after finish() is on disk when the process exits", async () => {
    const { root } = tempProject();
    const proc = Bun.spawn([process.execPath, CHILD("signals2.ts"), root, "late-record"], { stdout: "pipe", stderr: "pipe" });
    expect(await proc.exited).toBe(0);
    const metrics = readFileSync(join(root, "experiments/sig/runs/late-record/metrics.jsonl"), "utf8");
    expect(metrics).toContain('"name":"late"');
    expect(readRunJson(join(root, "experiments/sig/runs/late-record")).status).toBe("finished");
  });

  test("run.json read 10,000 times while it is rewritten never parses as empty or partial", async () => {
    const { root } = tempProject();
    const run = new Experiment(root, "meta").createRun("milestone", "m");
    const path = join(run.dir, "run.json");
    // A writer process rewriting run.json (tags) as fast as it can.
    const writer = Bun.spawn(
      [process.execPath, "-e", `
        import { Experiment } from ${JSON.stringify(join(import.meta.dir, "../../src/index.ts"))};
        const run = new Experiment(${JSON.stringify(root)}, "meta").openRun("m");
        for (let i = 0; i < 3000; i++) run.addTags("t" + (i % 50));
      `],
      { stdout: "ignore", stderr: "inherit" },
    );
    let bad = 0;
    let reads = 0;
    while (reads < 10_000) {
      const text = readFileSync(path, "utf8");
      reads++;
      try {
        const meta = JSON.parse(text);
        if (meta.run_id !== "m") bad++;
      } catch {
        bad++;
      }
    }
    expect(await writer.exited).toBe(0);
    expect(bad).toBe(0);
    run.finish();
  });
});

describe("full disk", () => {
  const canMount = process.getuid?.() === 0 && spawnSync("mount", ["--version"]).status === 0;

  test("a full disk during a flush surfaces an error, keeps earlier lines intact and never reports success", () => {
    const dir = tempDir();
    const mnt = join(dir, "small");
    mkdirSync(mnt);
    let mounted = false;
    if (canMount) mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt]).status === 0;
    try {
      if (!mounted) {
        // No tmpfs here: the injected-ENOSPC path is covered by the unit test of the writer.
        console.warn("full-disk test: could not mount a tmpfs; skipped");
        return;
      }
      const project = Project.init(mnt, { name: "full", gitignore: false });
      const run = new Experiment(project, "fill").createRun();
      for (let i = 0; i < 10; i++) run.logMetric("early", i);
      run.flush();
      const early = readFileSync(run.metricsFile, "utf8");
      let error: unknown;
      try {
        for (let i = 0; i < 20_000; i++) run.logEvent("fill", { i, pad: "x".repeat(100) });
        run.finish();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(Error);
      expect(String((error as Error).message)).toMatch(/Failed to write .*(ENOSPC|no space)/i);
      expect(readFileSync(run.metricsFile, "utf8")).toBe(early);
      const meta = readRunJson(run.dir);
      expect(meta.status).not.toBe("finished");
      expect(reportedStatus(meta)).not.toBe("finished");
      // every whole line that did land parses
      const lines = readFileSync(run.logFile, "utf8").split("\n");
      const whole = lines.slice(0, -1);
      for (const l of whole.slice(0, -1)) JSON.parse(l);
    } finally {
      if (mounted) spawnSync("umount", ["-l", mnt]);
      rmSync(dir, { recursive: true, force: true });
    }
    expect(existsSync(mnt)).toBe(false);
  });
});

describe("run.json lock", () => {
  test("a run.json lock left by a dead process (older than 5 s) is broken, and no guard is left behind", () => {
    const { withFileLock } = require("../../src/core/fsutil");
    const { utimesSync, writeFileSync: write, existsSync: exists } = require("node:fs");
    const { root } = tempProject();
    const lock = join(root, "x.lock");
    write(lock, "");
    utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect(withFileLock(lock, () => "ran")).toBe("ran");
    expect(exists(lock)).toBe(false);
    expect(exists(`${lock}.break`)).toBe(false);
  });
});
