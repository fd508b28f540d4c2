/**
 * Running a command line against the root command, in place of citty's `runMain` (which
 * exits 1 on every error and looks for `--help` past `--`): built-in `--help`/`--version`,
 * unknown commands and flags refused, everything after `--` left to the user's code.
 * Throws on error; the entry turns errors into exit codes.
 */
import { runCommand, type ArgsDef, type CommandDef } from "citty";
import { UserError } from "../core/errors";
import { buildInfo } from "../build-info";
import { VERSION } from "../core/version";
import { builtinFlags, checkArgs, splitAtDashDash } from "./argv";
import { renderHelp } from "./help";
import { colorEnabled, out } from "./output";

/** What a command's `run` finds in `context.data`. */
export interface DispatchData {
  /** Arguments after `--`. */
  rest: string[];
}

const resolveValue = async <T>(value: T | Promise<T> | (() => T | Promise<T>)): Promise<T> =>
  typeof value === "function" ? (value as () => T | Promise<T>)() : value;

/** A command's help text; plain unless stdout is a colour terminal. */
export function usage(cmd: CommandDef<any>, parent?: CommandDef<any>, stream: { isTTY?: boolean } = process.stdout, path?: string): Promise<string> {
  // A root command may carry its subcommands' descriptions, so listing them loads none.
  return renderHelp(cmd, parent, colorEnabled(stream), (cmd as { descriptions?: Record<string, string> }).descriptions, path);
}

function closest(name: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const d = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0]!;
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const cur = d[j]!;
        d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
      }
    }
    return d[b.length]!;
  };
  return candidates.map((c) => ({ c, d: distance(name, c) })).filter((x) => x.d <= 2).sort((x, y) => x.d - y.d)[0]?.c;
}

/** Commands whose arguments after `--` go to the user's code. */
const PASSES_REST = new Set(["run"]);

const ROOT_FLAGS = new Set(["--help", "-h", "--version", "-v", "--debug"]);

/** `--version` alone prints the version; with `--json`, the build's details too. */
function versionText(args: readonly string[]): string {
  return args.includes("--json") ? JSON.stringify(buildInfo(), null, 2) : VERSION;
}

/**
 * Runs `rawArgs` (process.argv.slice(2)) against `root`.
 *
 * @example
 * await dispatch(main, ["list-runs", "sentiment", "--json"]);
 */
export async function dispatch(root: CommandDef<any>, rawArgs: readonly string[]): Promise<void> {
  const { own, rest } = splitAtDashDash(rawArgs);
  const rootMeta = await resolveValue(root.meta ?? {});
  const rootName = rootMeta.name ?? "scryptorum";
  const index = own.findIndex((a) => !a.startsWith("-"));
  for (const flag of own.slice(0, index < 0 ? own.length : index)) {
    const versionJson = flag === "--json" && own.some((a) => a === "--version" || a === "-v");
    if (!ROOT_FLAGS.has(flag) && !versionJson) throw new UserError(`unknown option ${flag.split("=")[0]}: run \`${rootName} --help\` for usage`);
  }
  const rootFlags = builtinFlags(own.slice(0, index < 0 ? own.length : index));
  if (index < 0) {
    if (rootFlags.version && !rootFlags.help) return out(versionText(own));
    if (rootFlags.help) return out(await usage(root));
    process.stderr.write(`${await usage(root, undefined, process.stderr)}\n`);
    throw new UserError(`no command given: run \`${rootName} <command>\`, or \`${rootName} --help\``);
  }
  const name = own[index]!;
  const subCommands = (await resolveValue(root.subCommands ?? {})) as Record<string, unknown>;
  if (!Object.hasOwn(subCommands, name)) {
    const guess = closest(name, Object.keys(subCommands));
    throw new UserError(`unknown command "${name}": ${guess ? `did you mean \`${rootName} ${guess}\`? ` : ""}run \`${rootName} --help\` to see the commands`);
  }
  let cmd = (await resolveValue(subCommands[name] as CommandDef<any>)) as CommandDef<any>;
  let parent: CommandDef<any> = root;
  let cmdArgs = own.slice(index + 1);
  let path = `${rootName} ${name}`;
  // A command with subcommands of its own (`cache stats`): walk down to the one named.
  while (cmd.subCommands) {
    const subs = (await resolveValue(cmd.subCommands)) as Record<string, unknown>;
    const at = cmdArgs.findIndex((a) => !a.startsWith("-"));
    if (at < 0) {
      if (builtinFlags(cmdArgs).help || rootFlags.help) return out(await usage(cmd, root));
      throw new UserError(`\`${path}\` needs a subcommand: ${Object.keys(subs).join(" or ")} (run \`${path} --help\`)`);
    }
    const subName = cmdArgs[at]!;
    if (!Object.hasOwn(subs, subName)) {
      throw new UserError(`unknown command "${path} ${subName}": use ${Object.keys(subs).map((k) => `\`${path} ${k}\``).join(" or ")}`);
    }
    parent = cmd;
    cmd = (await resolveValue(subs[subName] as CommandDef<any>)) as CommandDef<any>;
    cmdArgs = [...cmdArgs.slice(0, at), ...cmdArgs.slice(at + 1)];
    path = `${path} ${subName}`;
  }
  const defs = (await resolveValue(cmd.args ?? {})) as ArgsDef;
  const flags = builtinFlags(cmdArgs, defs);
  if (flags.help || rootFlags.help) return out(await usage(cmd, parent, process.stdout, path));
  if (flags.version || rootFlags.version) return out(versionText(own));
  checkArgs(cmdArgs, defs, path);
  if (rest.length > 0 && !PASSES_REST.has(name)) {
    throw new UserError(`\`${rootName} ${name}\` takes no arguments after --: only \`${rootName} run\` passes them on`);
  }
  await runCommand(cmd, { rawArgs: cmdArgs, data: { rest } satisfies DispatchData });
}
