/**
 * The viewer bundle, made at build time: a Bun macro (imported `with { type: "macro" }` by
 * assets.ts) that runs `bun build` on src/viewer/main.ts for the browser and returns the
 * script and the stylesheet as strings. `bun build --compile` runs it once and inlines the
 * result into dist/scryptorum; under `bun` from source (tests, development) it runs when
 * assets.ts is first loaded. No prebuild step, no generated file.
 *
 * (Bun.build cannot be called from inside a macro while bundling, so the CLI is spawned.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The viewer's script (an IIFE) and stylesheet (uPlot's, then ours). */
export function viewerBundle(): { js: string; css: string } {
  const viewer = join(import.meta.dir, "..", "viewer");
  const bun = /(^|[\\/])bun(\.exe)?$/.test(process.execPath) ? process.execPath : "bun";
  const r = Bun.spawnSync([bun, "build", join(viewer, "main.ts"), "--target=browser", "--format=iife", "--minify"], {
    cwd: join(import.meta.dir, "..", ".."),
    env: { ...process.env, NODE_ENV: "production" },
    stdout: "pipe",
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(`Failed to build the viewer (bun build src/viewer/main.ts):\n${r.stderr.toString()}${r.stdout.toString()}`);
  const uplotCss = readFileSync(Bun.resolveSync("uplot/dist/uPlot.min.css", viewer), "utf8");
  const css = `${uplotCss}\n${readFileSync(join(viewer, "style.css"), "utf8")}`;
  return { js: r.stdout.toString(), css };
}
