/**
 * A .gitignore matcher for snapshots taken outside a git work tree, where there is no git
 * to ask. Covers what projects actually write: comments, `!` negation, trailing `/`
 * (folders only), leading or inner `/` (anchored), `*`, `?`, `[...]` and `**`.
 */

/** One pattern line, bound to the folder of the .gitignore it came from. */
export interface IgnoreRule {
  /** Folder of the .gitignore, relative to the walk root, "" for the root. */
  base: string;
  regex: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

/**
 * Parses the text of one .gitignore found in `base` (relative, `/`-separated).
 *
 * @example
 * parseGitignore("dist/\n*.log\n!keep.log\n", "web");
 */
export function parseGitignore(text: string, base = ""): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    // Trailing spaces are dropped unless escaped with a backslash.
    let line = raw.replace(/(?<!\\)[ \t]+$/, "");
    if (line === "" || line.startsWith("#")) continue;
    let negate = false;
    if (line.startsWith("!")) {
      negate = true;
      line = line.slice(1);
    } else if (line.startsWith("\\#") || line.startsWith("\\!")) {
      line = line.slice(1);
    }
    let dirOnly = false;
    if (line.endsWith("/")) {
      dirOnly = true;
      line = line.replace(/\/+$/, "");
    }
    if (line === "") continue;
    // A slash at the start or in the middle anchors the pattern to the .gitignore's folder.
    const anchored = line.includes("/");
    if (line.startsWith("/")) line = line.slice(1);
    const body = globToRegex(line);
    const regex = new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`);
    rules.push({ base, regex, negate, dirOnly });
  }
  return rules;
}

function globToRegex(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        const atStart = i === 0 || glob[i - 1] === "/";
        const atEnd = i + 2 === glob.length;
        if (atStart && glob[i + 2] === "/") {
          out += "(?:.*/)?"; // `**/` : zero or more folders
          i += 2;
          continue;
        }
        if (atStart && atEnd) {
          out += ".*"; // `/**` : everything inside
          i += 1;
          continue;
        }
        i += 1; // any other `**` is a plain `*`
      }
      out += "[^/]*";
    } else if (c === "?") {
      out += "[^/]";
    } else if (c === "[") {
      const cls = readClass(glob, i);
      if (cls) {
        out += cls.regex;
        i = cls.end;
      } else out += "\\[";
    } else if (c === "\\" && i + 1 < glob.length) {
      out += escapeRegex(glob[++i]!);
    } else out += escapeRegex(c);
  }
  return out;
}

function readClass(glob: string, start: number): { regex: string; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (glob[i] === "!" || glob[i] === "^") {
    negate = true;
    i++;
  }
  let body = "";
  if (glob[i] === "]") {
    body += "\\]";
    i++;
  }
  for (; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "]") return { regex: `[${negate ? "^/" : ""}${body}]`, end: i };
    if (c === "\\" && i + 1 < glob.length) body += `\\${glob[++i]}`;
    else body += c === "-" ? "-" : escapeRegex(c);
  }
  return undefined;
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/-]/.test(c) ? `\\${c}` : c;
}

/**
 * Whether `rel` (relative to the walk root) is ignored. Rules are given outermost
 * .gitignore first, so the last match wins, as in git.
 *
 * @example
 * isIgnored(parseGitignore("*.log\n!keep.log"), "a/keep.log", false); // false
 */
export function isIgnored(rules: readonly IgnoreRule[], rel: string, isDir: boolean): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (rule.dirOnly && !isDir) continue;
    if (rule.negate !== ignored) continue; // cannot change the answer
    let sub = rel;
    if (rule.base !== "") {
      if (!rel.startsWith(`${rule.base}/`)) continue;
      sub = rel.slice(rule.base.length + 1);
    }
    if (rule.regex.test(sub)) ignored = !rule.negate;
  }
  return ignored;
}
