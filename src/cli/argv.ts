/**
 * Checking a command line against a command's argument definitions before citty parses it.
 * citty's own parser is lenient (unknown flags pass, a flag's value may be the next flag);
 * scryptorum refuses those with an error naming the flag, and leaves everything after `--`
 * to the user's code.
 */
import type { ArgsDef } from "citty";
import { UserError } from "../core/errors";

export interface SplitArgs {
  /** Arguments before `--`: the CLI's own. */
  own: string[];
  /** Arguments after `--`: they belong to the user's code. */
  rest: string[];
}

/** Splits at the first `--`. */
export function splitAtDashDash(raw: readonly string[]): SplitArgs {
  const i = raw.indexOf("--");
  return i < 0 ? { own: [...raw], rest: [] } : { own: raw.slice(0, i), rest: raw.slice(i + 1) };
}

const HELP = new Set(["--help", "-h"]);
const VERSION = new Set(["--version", "-v"]);

/** Built-in flags every command takes: `--help`/`-h` and `--version`/`-v` (unless the command claims the spelling). */
export function builtinFlags(own: readonly string[], defs: ArgsDef = {}): { help: boolean; version: boolean } {
  const claimed = new Set<string>();
  for (const [name, def] of Object.entries(defs)) {
    claimed.add(`--${name}`);
    for (const alias of [(def as { alias?: string | string[] }).alias ?? []].flat()) claimed.add(alias.length === 1 ? `-${alias}` : `--${alias}`);
  }
  const has = (set: Set<string>) => own.some((a) => set.has(a) && !claimed.has(a));
  return { help: has(HELP), version: has(VERSION) };
}

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

interface FlagInfo {
  name: string;
  takesValue: boolean;
  /** A string flag marked `optionalValue: true` (ours; citty ignores it) may come bare: `--push`. */
  optionalValue?: boolean;
}

/** Every spelling a command accepts for its flags: names, camel/kebab forms, aliases, `no-` for booleans. */
function flagTable(defs: ArgsDef): Map<string, FlagInfo> {
  const table = new Map<string, FlagInfo>();
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === "positional") continue;
    const info = { name, takesValue: def.type === "string" || def.type === "enum", optionalValue: (def as { optionalValue?: boolean }).optionalValue === true };
    const aliases = [(def as { alias?: string | string[] }).alias ?? []].flat();
    for (const spelling of [name, camel(name), kebab(name), ...aliases]) {
      table.set(spelling, info);
      if (def.type === "boolean" || def.type === undefined) table.set(`no-${spelling}`, info);
    }
  }
  return table;
}

function looksLikeFlag(token: string): boolean {
  return token.length > 1 && token.startsWith("-") && !/^-\d/.test(token);
}

/**
 * Checks a command's own arguments (before `--`): every flag is known, every flag that takes
 * a value has one, and there are no more positionals than the command defines. Throws a
 * UserError naming the culprit.
 */
export function checkArgs(own: readonly string[], defs: ArgsDef, command: string): void {
  const table = flagTable(defs);
  const positionals = Object.entries(defs).filter(([, d]) => d.type === "positional");
  // A last positional marked `variadic: true` (ours; citty ignores it) takes any number.
  const variadic = positionals.some(([, d]) => (d as { variadic?: boolean }).variadic === true);
  const help = `run \`${command} --help\` for usage`;
  let seen = 0;
  for (let i = 0; i < own.length; i++) {
    const token = own[i]!;
    if ((HELP.has(token) || VERSION.has(token)) && !table.has(token.replace(/^-+/, ""))) continue;
    if (!looksLikeFlag(token)) {
      if (seen >= positionals.length && !variadic) throw new UserError(`unexpected argument "${token}": ${help}`);
      seen++;
      continue;
    }
    const eq = token.indexOf("=");
    const spelled = token.slice(token.startsWith("--") ? 2 : 1, eq < 0 ? undefined : eq);
    const short = !token.startsWith("--");
    const info = table.get(spelled);
    // A one-letter alias is only spelled `-m`; long names only `--name`.
    if (!info || short !== (spelled.length === 1)) throw new UserError(`unknown option ${token.slice(0, eq < 0 ? undefined : eq)}: ${help}`);
    if (!info.takesValue || eq >= 0) continue;
    const next = own[i + 1];
    if (next === undefined || looksLikeFlag(next)) {
      if (info.optionalValue) continue;
      throw new UserError(`option ${token} needs a value: ${help}`);
    }
    i++;
  }
  for (const [name, def] of positionals.slice(seen)) {
    if (def.required !== false && def.default === undefined) {
      throw new UserError(`missing <${kebab(name)}>: ${help}`);
    }
  }
}

/** True when `--debug` (before `--`) or SCRYPTORUM_DEBUG asks for stacks. */
export function wantsDebug(own: readonly string[]): boolean {
  return own.includes("--debug") || !!process.env.SCRYPTORUM_DEBUG;
}

/** True when the command line asks for JSON (`--json` among the CLI's own arguments): errors are then JSON too. */
export function wantsJson(own: readonly string[]): boolean {
  return own.includes("--json") || own.includes("--json=true");
}
