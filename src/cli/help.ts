/**
 * Help text for the root command and each command, from their citty definitions. Left-aligned
 * columns, no trailing spaces; bold and cyan only when colour is on.
 */
import type { ArgsDef, CommandDef, CommandMeta } from "citty";

const EXAMPLES = [
  "init                                   # in your repository",
  "create-experiment sentiment",
  "run sentiment --script eval.ts         # a trial: runs/trial_run, replaced each time",
  "run sentiment -m eval.ts --milestone   # a milestone: kept, with a code snapshot",
  "list-runs sentiment",
];

type Paint = (s: string) => string;

const resolveValue = async <T>(value: T | Promise<T> | (() => T | Promise<T>)): Promise<T> =>
  typeof value === "function" ? (value as () => T | Promise<T>)() : value;

function columns(rows: [string, string][], paint: Paint): string[] {
  const w = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${paint(left)}${right ? " ".repeat(w - left.length + 2) + right : ""}`.trimEnd());
}

/**
 * Renders `cmd`'s help; `parent` is the root command when `cmd` is a subcommand.
 *
 * @example
 * renderHelp(runCommand, root, false);
 */
export async function renderHelp(
  cmd: CommandDef<any>,
  parent: CommandDef<any> | undefined,
  color: boolean,
  descriptions?: Record<string, string>,
  /** The full command path (`scryptorum cache stats`) for a nested command. */
  path?: string,
): Promise<string> {
  const bold: Paint = color ? (s) => `\x1b[1m${s}\x1b[22m` : (s) => s;
  const cyan: Paint = color ? (s) => `\x1b[36m${s}\x1b[39m` : (s) => s;
  const meta = (await resolveValue(cmd.meta ?? {})) as CommandMeta;
  const parentMeta = parent ? ((await resolveValue(parent.meta ?? {})) as CommandMeta) : undefined;
  const name = path ?? [parentMeta?.name, meta.name].filter(Boolean).join(" ");
  const version = meta.version ?? parentMeta?.version;
  const args = Object.entries((await resolveValue(cmd.args ?? {})) as ArgsDef);
  const lines: string[] = [parent ? (meta.description ?? "") : `${name} ${version}: ${meta.description ?? ""}`, ""];

  const positionals = args.filter(([, d]) => d.type === "positional");
  const options: [string, string][] = [];
  for (const [key, def] of args) {
    if (def.type === "positional") continue;
    const aliases = [(def as { alias?: string | string[] }).alias ?? []].flat().map((a) => (a.length === 1 ? `-${a}` : `--${a}`));
    const hint = def.type === "string" || def.type === "enum" ? ` <${def.valueHint ?? key}>` : "";
    if (def.type === "boolean" && def.default === true) {
      options.push([`--no-${key}`, (def as { negativeDescription?: string }).negativeDescription ?? ""]);
    } else {
      options.push([[...aliases, `--${key}`].join(", ") + hint, def.description ?? ""]);
    }
  }
  options.push(["-h, --help", "Show this help"], ["-v, --version", "Show the version"]);
  if (!parent && !args.some(([key]) => key === "debug")) options.push(["--debug", "Show stack traces of errors"]);

  const subCommands = cmd.subCommands ? ((await resolveValue(cmd.subCommands)) as Record<string, unknown>) : undefined;
  const usage = [name];
  if (subCommands) usage.push("<command>");
  for (const [key, def] of positionals) {
    const shown = (def as { variadic?: boolean }).variadic ? `${key}…` : key;
    usage.push(def.required === false ? `[${shown}]` : `<${shown}>`);
  }
  usage.push("[options]");
  if (meta.name === "run") usage.push("[-- <args for your code>]");
  lines.push(`${bold("Usage:")} ${usage.join(" ")}`, "");

  if (subCommands) {
    const rows: [string, string][] = [];
    for (const [key, sub] of Object.entries(subCommands)) {
      const known = descriptions?.[key];
      if (known !== undefined) {
        rows.push([key, known]);
        continue;
      }
      const subMeta = (await resolveValue((await resolveValue(sub as CommandDef<any>)).meta ?? {})) as CommandMeta;
      if (!subMeta.hidden) rows.push([key, subMeta.description ?? ""]);
    }
    lines.push(bold("Commands:"), ...columns(rows, cyan), "");
  }
  if (positionals.length) {
    lines.push(bold("Arguments:"), ...columns(positionals.map(([key, def]) => [`<${key}>`, def.description ?? ""]), cyan), "");
  }
  lines.push(bold("Options:"), ...columns(options, cyan), "");
  if (subCommands && !parent) lines.push(bold("Examples:"), ...EXAMPLES.map((e) => `  ${name} ${e}`), "", `Run \`${name} <command> --help\` for a command's options.`);
  return lines.join("\n").trimEnd();
}
