/**
 * environment.json: enough to rebuild the conditions of a run (runtime, OS, dependencies,
 * lockfile, commit) and nothing that could hold a secret. Environment variables come only
 * from an allow-list, and a secret-looking name is refused even when allow-listed.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { join } from "pathe";
import { isSecretName, redactArgv, redactUrlCredentials } from "../core/redact.ts";
import type { GitInfo } from "./git.ts";
import { priceTable } from "../prices/table.ts";

const ENV_ALLOW = [
  "NODE_ENV", "CI", "LANG", "LC_ALL", "TZ", "SHELL", "TERM",
  "SCRYPTORUM_RUN_TYPE", "SCRYPTORUM_PROJECT_ROOT", "BUN_ENV", "NODE_OPTIONS",
];
const LOCKFILES = ["bun.lock", "bun.lockb", "package-lock.json", "pnpm-lock.yaml", "yarn.lock"];

export interface EnvironmentOptions {
  version: string;
  /** Folders searched for package.json and a lockfile, nearest first. */
  packageDirs: readonly string[];
  git?: GitInfo;
  extraEnvAllow?: readonly string[];
}

/**
 * Builds the environment.json object.
 *
 * @example
 * describeEnvironment({ version: "0.1.0", packageDirs: ["/repo"], git: { commit: "3f2c…" } });
 */
export function describeEnvironment(opts: EnvironmentOptions): Record<string, unknown> {
  const bunVersion = (process.versions as Record<string, string | undefined>).bun;
  return {
    format: 1,
    captured_at: new Date().toISOString(),
    scryptorum_version: opts.version,
    // The price table that computed each llm_call's cost_usd in this run.
    prices_version: priceTable.version,
    runtime: {
      name: bunVersion ? "bun" : "node",
      version: bunVersion ?? process.versions.node,
      platform: process.platform,
      arch: process.arch,
      os_release: os.release(),
      cpus: os.cpus().length,
      memory_bytes: os.totalmem(),
    },
    hostname: os.hostname(),
    cwd: process.cwd(),
    // null rather than absent, so readers can rely on every key being there.
    package: readPackage(opts.packageDirs) ?? null,
    lockfile: findLockfile(opts.packageDirs) ?? null,
    git: opts.git ?? null,
    env: allowedEnv(opts.extraEnvAllow ?? []),
  };
}

/**
 * The allow-listed environment variables that are set, secret-looking names always refused.
 *
 * @example
 * allowedEnv(["MY_FLAG"]); // { LANG: "C.UTF-8", MY_FLAG: "1" }
 */
export function allowedEnv(extra: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...ENV_ALLOW, ...extra]) {
    const value = process.env[name];
    if (value === undefined || isSecretName(name)) continue;
    env[name] = name === "NODE_OPTIONS"
      ? redactArgv(value.split(/\s+/).filter(Boolean)).join(" ")
      : redactUrlCredentials(value);
  }
  return env;
}

function readPackage(dirs: readonly string[]): Record<string, unknown> | undefined {
  for (const dir of dirs) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    try {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      return {
        name: pkg.name,
        version: pkg.version,
        dependencies: cleanSpecs(pkg.dependencies),
        devDependencies: cleanSpecs(pkg.devDependencies),
      };
    } catch {
      return undefined; // a broken package.json is the user's business, not the run's
    }
  }
  return undefined;
}

/** Dependency specs may be git URLs with tokens; the names are left alone (`keytar` is no secret). */
function cleanSpecs(specs: unknown): Record<string, string> | undefined {
  if (!specs || typeof specs !== "object") return undefined;
  // fromEntries defines own keys, so a dependency named "__proto__" stays a plain key.
  return Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, redactUrlCredentials(String(spec))]));
}

function findLockfile(dirs: readonly string[]): { file: string; sha256: string } | undefined {
  for (const dir of dirs) {
    for (const name of LOCKFILES) {
      const file = join(dir, name);
      try {
        if (!existsSync(file)) continue;
        return { file: name, sha256: createHash("sha256").update(readFileSync(file)).digest("hex") };
      } catch {
        continue;
      }
    }
  }
  return undefined;
}
