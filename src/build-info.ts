import { VERSION } from "./core/version";

/** Set at build time by scripts/build.ts (`--define`); absent under `bun run` and tests. */
declare const SCRYPTORUM_BUILD: { commit: string; date: string; target: string } | undefined;

export interface BuildInfo {
  version: string;
  /** The git commit built, or null when run from source. */
  commit: string | null;
  /** ISO-8601 UTC time of the build, or null when run from source. */
  build_date: string | null;
  /** The release target (`linux-x64`, `darwin-arm64`, ...), or `<os>-<arch>` from source. */
  target: string;
  bun_version: string | null;
}

/**
 * What `scryptorum --version --json` prints.
 *
 * @example
 * buildInfo().target; // "linux-x64"
 */
export function buildInfo(): BuildInfo {
  const built = typeof SCRYPTORUM_BUILD !== "undefined" ? SCRYPTORUM_BUILD : undefined;
  const os = process.platform === "win32" ? "windows" : process.platform;
  return {
    version: VERSION,
    commit: built?.commit ?? null,
    build_date: built?.date ?? null,
    target: built?.target ?? `${os}-${process.arch}`,
    bun_version: typeof Bun !== "undefined" ? Bun.version : null,
  };
}
