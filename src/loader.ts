/**
 * Loading the user's code into the CLI's own process. In the compiled binary (and under
 * `bun`), Bun's native `import()`, with `scryptorum` mapped to the CLI's own copy of the
 * library, so the user's module joins the CLI's run whether or not they installed it.
 * Under Node, jiti, with the same mapping as an alias.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
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
    transform: jitiTransform(),
  });
  return (await jiti.import(file)) as Record<string, unknown>;
}

type JitiTransform = (opts: import("jiti").TransformOptions) => import("jiti").TransformResult;

/**
 * jiti's own transform (Babel, decorators compiled as `experimentalDecorators`), with one
 * fix: for each decorated method it adds `Reflect.metadata?.(…) || ((t) => t)`, whose
 * fallback returns the prototype where a legacy method decorator must return a descriptor
 * or nothing, so every decorator above it gets the prototype instead of the method (and
 * `@timer("load") load() {}` fails). The fallback becomes `() => {}`: "no change", which is
 * what `Reflect.metadata`'s own decorators return.
 */
function jitiTransform(): JitiTransform | undefined {
  let babel: JitiTransform;
  try {
    const jitiEntry = createRequire(import.meta.url).resolve("jiti"); // …/jiti/lib/jiti.cjs
    babel = createRequire(jitiEntry)("../dist/babel.cjs") as JitiTransform;
  } catch {
    return undefined; // another jiti layout: its default transform
  }
  return (opts) => {
    const result = babel(opts);
    if (result.code.includes("Reflect.metadata?.(")) result.code = fixMetadataFallback(result.code);
    return result;
  };
}

/** `Reflect.metadata?.("design:…", …) || ((t) => t)` -> `… || (() => {})` (two levels of parentheses in the arguments). */
export function fixMetadataFallback(code: string): string {
  return code.replace(/(Reflect\.metadata\?\.\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)\s*\|\|\s*)\(\(t\)\s*=>\s*t\)/g, "$1(() => {})");
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
  const hint = exportHint(spec, cwd);
  throw new UserError(`--module ${spec}: no such file in ${cwd}, and no installed package of that name: ${hint ?? "check the path or install the package"}`);
}

/**
 * Python habits (`file.ts:Class`, `pkg.module.Class`): when the spec names a file that exists
 * once read that way, the fix to suggest is the `#Export` form.
 */
function exportHint(spec: string, cwd: string): string | undefined {
  const colon = /^(.+):([A-Za-z_$][\w$]*)$/.exec(spec);
  const dotted = /^([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\.([A-Za-z_$][\w$]*)$/.exec(spec);
  const readings: [string, string][] = [];
  if (colon) readings.push([colon[1]!, colon[2]!]);
  if (dotted) readings.push([dotted[1]!.replaceAll(".", "/"), dotted[2]!]);
  for (const [file, name] of readings) {
    const path = expandPath(file, cwd);
    const found = existsSync(path) && statSync(path).isFile() ? path : resolveFrom(path, cwd);
    if (found) return `to run export ${name} of ${file}, write --module ${file.startsWith(".") || isAbsolute(file) ? file : `./${file}`}#${name}`;
  }
  if (colon || dotted) return "name an export with #, as in --module ./evals/sentiment.ts#Sentiment (not file:Export or a dotted path)";
  return undefined;
}

const SCANNABLE = /\.(?:[cm]?[jt]sx?)$/;

/**
 * The names a module file exports, read without running it (Bun's transpiler), or
 * undefined when that cannot be known: not under Bun, `export *`, CommonJS, no exports.
 *
 * @example
 * staticExports("/repo/evals/sentiment.ts"); // ["Sentiment", "default"]
 */
export function staticExports(file: string): string[] | undefined {
  if (!isBun || !SCANNABLE.test(file) || file.endsWith(".cjs") || file.endsWith(".cts")) return undefined;
  let code: string;
  try {
    code = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  if (/\bexport\s*\*\s*from\b/.test(code) || /\bmodule\.exports\b|\bexports\.[\w$]+\s*=/.test(code)) return undefined;
  try {
    const loader = file.endsWith("x") ? "tsx" : file.endsWith("js") ? "js" : "ts";
    const { exports } = new Bun.Transpiler({ loader }).scan(code);
    return exports.length > 0 ? exports : undefined;
  } catch {
    return undefined; // does not compile: the run reports it with its line
  }
}
