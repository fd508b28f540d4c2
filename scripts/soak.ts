/**
 * `bun run soak`: the reliability cases at sizes that do not fit CI.
 *   1. 8 processes x 10,000 events (100 B, 5 KiB, 2% 200 KiB) into one run
 *   2. 50 milestones started at once through the binary
 *   3. SIGKILL raced against the write of 1 MiB events, many times
 * Prints each figure and exits 1 when a guarantee does not hold.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Experiment, Project } from "../src/index";
import { readJsonl } from "../src/core/jsonl";
import { build, BINARY } from "./build";

const ROOT = join(import.meta.dir, "..");
const CHILD = (name: string) => join(ROOT, "test/fixtures/children", name);
let failures = 0;
function check(ok: boolean, what: string) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
}

function waitExit(args: string[], cwd?: string, quiet = false): Promise<number> {
  return new Promise((resolve) => {
    const p = spawn(args[0]!, args.slice(1), { cwd, stdio: ["ignore", "ignore", quiet ? "ignore" : "inherit"] });
    p.on("close", (code) => resolve(code ?? -1));
  });
}

const base = mkdtempSync(join(tmpdir(), "scry-soak-"));
try {
  // 1. 8 x 10,000 events
  {
    const project = Project.init(join(base), { name: "soak", gitignore: false });
    const owner = new Experiment(project, "load").createRun("milestone", "one");
    const t0 = performance.now();
    const codes = await Promise.all(Array.from({ length: 8 }, (_, w) => waitExit([process.execPath, CHILD("load.ts"), project.root, "load", "one", String(w), "10000"])));
    const ms = performance.now() - t0;
    owner.finish();
    let lines = 0;
    let bad = 0;
    const last = Array(8).fill(-1);
    let ordered = true;
    for (const line of readFileSync(owner.logFile, "utf8").split("\n")) {
      if (!line) continue;
      lines++;
      try {
        const r = JSON.parse(line);
        if (r.event_type === "load") {
          if (r.i <= last[r.worker]) ordered = false;
          last[r.worker] = r.i;
        }
      } catch {
        bad++;
      }
    }
    const bytes = readFileSync(owner.logFile).length;
    check(codes.every((c) => c === 0), "8 writers exited 0");
    check(bad === 0 && lines === 80_002, `8 x 10,000 events: ${lines} lines, ${bad} torn, ${(bytes / 2 ** 20).toFixed(0)} MiB in ${(ms / 1000).toFixed(1)} s`);
    check(ordered && last.every((i) => i === 9999), "each writer's events in its own order, none missing");
  }

  // 2. 50 milestones at once through the binary
  {
    await build({ quiet: true });
    const dir = join(base, "ms");
    cpSync(join(ROOT, "test/fixtures/no-install"), dir, { recursive: true });
    spawnSync(BINARY, ["init", "--no-gitignore"], { cwd: dir });
    const t0 = performance.now();
    const codes = await Promise.all(Array.from({ length: 50 }, () => waitExit([BINARY, "run", "answers", "-m", "src/experiment.ts", "--milestone"], dir, true)));
    const ms = performance.now() - t0;
    const runs = readdirSync(join(dir, "experiments/no-install-app/experiments/answers/runs")).filter((n) => !n.startsWith("."));
    check(codes.every((c) => c === 0), `50 simultaneous milestones exited 0 (${(ms / 1000).toFixed(1)} s)`);
    check(runs.length === 50 && new Set(runs).size === 50, `50 distinct run folders (${runs.length})`);
  }

  // 3. SIGKILL raced against 1 MiB writes
  {
    const project = new Project(join(base, "experiments", "soak"));
    const exp = new Experiment(project, "kill");
    const rounds = 40;
    let tornTotal = 0;
    let badMiddle = 0;
    for (let round = 0; round < rounds; round++) {
      const run = exp.createRun("milestone", `k${round}`);
      run.finish();
      const child = spawn(process.execPath, [CHILD("bigwriter.ts"), project.root, "kill", `k${round}`], { stdio: ["ignore", "pipe", "inherit"] });
      await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 200));
      child.kill("SIGKILL");
      await new Promise((r) => child.on("close", r));
      const text = readFileSync(run.logFile, "utf8");
      const lines = text.split("\n");
      const tail = lines.pop()!; // "" when the file ends whole
      if (tail !== "") tornTotal++;
      for (const l of lines) {
        if (!l) continue;
        try {
          JSON.parse(l);
        } catch {
          badMiddle++;
        }
      }
      // a reader keeps every whole record and the next writer starts on a fresh line
      let kept = 0;
      readJsonl(run.logFile, () => void kept++, { onSkipped: () => {} });
      const again = exp.openRun(`k${round}`);
      again.logEvent("after_kill");
      again.finish();
      const after = readFileSync(run.logFile, "utf8").trimEnd().split("\n").at(-1)!;
      if (JSON.parse(after).event_type !== "after_kill") badMiddle++;
      rmSync(run.dir, { recursive: true, force: true });
    }
    check(badMiddle === 0, `SIGKILL during 1 MiB writes, ${rounds} rounds: only the last line may be torn (${tornTotal} rounds ended torn), the next writer always starts a fresh line`);
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
console.log(failures === 0 ? "soak: all guarantees held" : `soak: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
