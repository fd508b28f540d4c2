/**
 * `bun run demo`: builds the binary if needed, scaffolds a fresh project in a temp folder,
 * runs its example experiment as a trial and as a milestone through the binary, and lists
 * the runs. Every command is printed before it runs, so the output reads as a walkthrough.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, BINARY } from "./build";

await build({ quiet: true });
const base = mkdtempSync(join(tmpdir(), "scryptorum-demo-"));
const project = join(base, "demo");

function step(cwd: string, ...args: string[]): void {
  process.stdout.write(`\n$ scryptorum ${args.join(" ")}    # in ${cwd}\n`);
  const r = Bun.spawnSync([BINARY, ...args], { cwd, stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0) {
    process.stderr.write(`demo: \`scryptorum ${args.join(" ")}\` exited ${r.exitCode}\n`);
    process.exit(1);
  }
}

step(base, "create-project", "demo");
step(project, "run", "example", "-m", "examples/example_experiment.ts");
step(project, "run", "example", "-m", "examples/example_experiment.ts", "--milestone");
step(project, "list-runs", "example");
process.stdout.write(`\nThe project is in ${project}; its runs are plain files under experiments/example/runs/.\n`);
