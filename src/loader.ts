/**
 * Loading the user's code into the CLI's own process. In the compiled binary (and under
 * `bun`), Bun's native `import()`, with `scryptorum` mapped to the CLI's own copy of the
 * library, so the user's module joins the CLI's run whether or not they installed it.
 * Under Node, jiti, with the same mapping as an alias.
 */
import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, isAbsolute, join, resolve } from "pathe";
import * as api from "./index";
import { UserError } from "./core/errors";
import { expandPath } from "./core/project";

const isBun = typeof globalThis.Bun !== "undefined";
let selfRegistered = false;

/** Makes `import … from "scryptorum"` in the user's code give this copy of the library. */
function registerSelf(): void {
  if (selfRegistered) return;
  selfRegistered = true;
  const exports = { ...api } as Record<string, unknown>;
  // `onResolve` for a bare name does not fire in a compiled binary; `module()` does.
  Bun.plugin({
    name: "scryptorum-self",
    setup(build) {
      build.module("scryptorum", () => ({ exports, loader: "object" }));
    },
  });
}

/**
 * Imports a file of the user's (absolute path) and returns its module namespace.
 *
 * @example
 * const mod = await importUserModule("/repo/experiments/sentiment.ts");
 */
export async function importUserModule(file: string): Promise<Record<string, unknown>> {
  if (isBun) {
    registerSelf();
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  }
  // A specifier the bundler cannot follow: jiti stays out of the binary (Bun never needs it).
  const jitiName = "jiti";
  const { createJiti } = (await import(jitiName)) as typeof import("jiti");
  // Built as dist/cli.mjs beside dist/lib/index.mjs: the user's `scryptorum` is that copy;
  // both share the run through the global runtime object.
  const lib = join(dirname(fileURLToPath(import.meta.url)), "lib", "index.mjs");
  const jiti = createJiti(import.meta.url, {
    alias: existsSync(lib) ? { scryptorum: lib } : {},
    interopDefault: false,
    fsCache: false,
  });
  return (await jiti.import(file)) as Record<string, unknown>;
}

/** Resolves a bare or relative specifier from `dir` the way the user's runtime would. */
function resolveFrom(spec: string, dir: string): string | undefined {
  try {
    if (isBun) return Bun.resolveSync(spec, dir);
    return createRequire(join(dir, "package.json")).resolve(spec);
  } catch {
    return undefined;
  }
}

const URL_LIKE = /^[A-Za-z][A-Za-z0-9+.-]+:/; // a one-letter scheme is a Windows drive (C:\)

function refuseOddInput(spec: string, flag: string): void {
  const shown = JSON.stringify(spec.replaceAll("\0", "\\0"));
  if (spec === "") throw new UserError(`${flag} is empty: give a file path`);
  if (spec.includes("\0")) throw new UserError(`${flag} ${shown} contains a NUL character: give a file path`);
  if (URL_LIKE.test(spec)) throw new UserError(`${flag} ${shown} is a URL: give a local file path${flag === "--module" ? " or a package name" : ""}`);
}


/**
 * The file behind `--script <file>`: a path relative to `cwd`, which must exist.
 *
 * @example
 * resolveScript("scripts/eval.ts", process.cwd()); // "/repo/scripts/eval.ts"
 */
export function resolveScript(spec: string, cwd: string): string {
  refuseOddInput(spec, "--script");
  const path = expandPath(spec, cwd);
  if (!existsSync(path)) throw new UserError(`--script ${spec}: no such file (${path}): check the path`);
  if (!statSync(path).isFile()) throw new UserError(`--script ${spec} is a folder, not a file: give the script's path`);
  return path;
}

/**
 * The file behind `--module <spec>`: a path (relative to `cwd`; extension and index file
 * optional), else a package specifier resolved from `cwd` as the user's project would.
 *
 * @example
 * resolveModule("./evals/sentiment", process.cwd()); // "/repo/evals/sentiment.ts"
 * resolveModule("@acme/evals/sentiment", process.cwd()); // "/repo/node_modules/@acme/evals/dist/sentiment.js"
 */
export function resolveModule(spec: string, cwd: string): string {
  refuseOddInput(spec, "--module");
  const pathLike = spec.startsWith(".") || spec.startsWith("~") || isAbsolute(spec) || /^[A-Za-z]:[\\/]/.test(spec);
  const path = expandPath(spec, cwd);
  if (existsSync(path) && statSync(path).isFile()) return path;
  if (pathLike || existsSync(path)) {
    const found = resolveFrom(path, cwd);
    if (found) return found;
    throw new UserError(`--module ${spec}: no such file (${path}): check the path`);
  }
  const found = resolveFrom(spec, cwd);
  if (found) return found;
  throw new UserError(`--module ${spec}: no such file in ${cwd}, and no installed package of that name: check the path or install the package`);
}
