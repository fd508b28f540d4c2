/**
 * The secrets policy for text config files (YAML, TOML, INI, .env, .properties), line by
 * line: a value under a secret-looking name is replaced by "[redacted]", and so are the
 * lines that carry it on (nested maps and lists, block scalars, multi-line strings and
 * arrays), keeping the file's structure so it still parses.
 */
import { REDACTED, isSecretName, isTokenCountName, redactUrlCredentials } from "./redact";

/**
 * `name: value` / `name = value`, after an indent, list dashes, a flow `{`/`,`, `export`, or
 * a comment marker (a commented-out key is still a key). `name==1.0` is a requirements.txt pin.
 */
const ASSIGNMENT = /^([ \t]*((?:#+|\/\/|;)[ \t]*)?(?:-[ \t]+|[{,][ \t]*)*(?:export[ \t]+)?)(["']?)([A-Za-z0-9_.$-]+)\3([ \t]*(?::|=(?!=))[ \t]*)(.*)$/;
/** A key inside a secret's block: quoted, or bare followed by `: ` or ` = ` (so `abc==` or `user:pass` stay values). */
const INNER_PAIR = /^((?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')[ \t]*[:=][ \t]*|[A-Za-z_$][A-Za-z0-9_.$-]*(?:[ \t]*:(?:[ \t]+|$)|[ \t]+=[ \t]*))(.*)$/;
/** A flow pair inside `{…}`, for one-line JSON and YAML flow maps. */
const FLOW_PAIR = /([{,][ \t]*)(["']?)([A-Za-z0-9_.$-]+)\2[ \t]*[:=][ \t]*/g;
const SECTION = /^[ \t]*\[\[?[ \t]*([A-Za-z0-9_.$ "'-]+?)[ \t]*\]\]?[ \t]*([#;].*)?$/;
const BLOCK_SCALAR = /^[|>][-+1-9]{0,2}[ \t]*(#.*)?$/;
const PROPS = /^((?:[&!][^ \t]*[ \t]*)+)/; // YAML anchors and tags: `&base`, `!!binary`
const LITERAL = /^([-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?|true|false|yes|no|on|off)$/i;
const NOTHING = /^(null|~|""|'')?$/i;
const QUOTED = `"${REDACTED}"`;

type Block =
  | { kind: "indent"; parent: number; allowSeq: boolean; scalar: boolean; inner: Inner }
  | { kind: "brackets"; depth: number; inner: Inner }
  | { kind: "quote"; delim: string; opener: number }
  | { kind: "continuation"; parent: number };

interface Inner {
  /** Column of a key whose block scalar (`|`, `>`) runs on the deeper lines. */
  scalar?: number;
  /** The last line was a bare value without a comma: a next bare line continues it. */
  lastBare: boolean;
  brackets: boolean;
}

const indentOf = (line: string) => /^[ \t]*/.exec(line)![0].length;

/** Index just past the closing quote of a quoted value starting at 0, or -1 when it runs on. */
function closingQuote(v: string): number {
  const delim = v.startsWith('"""') || v.startsWith("'''") ? v.slice(0, 3) : v[0]!;
  if (delim.length === 3) {
    const end = v.indexOf(delim, 3);
    return end < 0 ? -1 : end + 3;
  }
  for (let i = 1; i < v.length; i++) {
    if (delim === '"' && v[i] === "\\") i++;
    else if (delim === "'" && v[i] === "'" && v[i + 1] === "'") i++;
    else if (v[i] === delim) return i + 1;
  }
  return -1;
}

/** How many brackets a line leaves open, quoted text skipped. */
function bracketDelta(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "'") {
      const end = closingQuote(s.slice(i));
      if (end < 0) break;
      i += end - 1;
    } else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth--;
  }
  return depth;
}

/**
 * Splits a value into the scalar itself and what follows it on the line. `open` is set
 * when a quote or bracket runs on past the line. `flow` values (inside `{…}`) end at `,`.
 */
function scanValue(v: string, flow: boolean): { core: string; after: string; open?: boolean } {
  const c = v[0];
  let end: number;
  if (c === '"' || c === "'") end = closingQuote(v);
  else if (c === "[" || c === "{") {
    end = -1;
    let depth = 0;
    for (let i = 0; i < v.length && end < 0; i++) {
      const ch = v[i]!;
      if (ch === '"' || ch === "'") {
        const q = closingQuote(v.slice(i));
        if (q < 0) break;
        i += q - 1;
      } else if (ch === "[" || ch === "{") depth++;
      else if ((ch === "]" || ch === "}") && --depth === 0) end = i + 1;
    }
  } else {
    end = v.search(/[ \t](#|\/\/)/);
    if (end < 0) end = v.length;
    if (flow) {
      const stop = v.slice(0, end).search(/[,}\]]/);
      if (stop >= 0) end = stop;
    } else {
      // `512,` or `true}` on a JSON-ish line: the punctuation is not part of the value.
      const m = /^(.*?)[ \t]*[,}\]][,}\] \t]*$/.exec(v.slice(0, end));
      if (m && LITERAL.test(m[1]!)) end = m[1]!.length;
    }
    end = v.slice(0, end).trimEnd().length;
  }
  if (end < 0) return { core: v, after: "", open: true };
  return { core: v.slice(0, end), after: v.slice(end) };
}

/** What followed a redacted value: kept (commas, closers, more pairs) unless it is a comment. */
function keepAfter(after: string): string {
  return redactFlowPairs(after.replace(/(^|[ \t])(#|\/\/|;).*$/, "").trimEnd());
}

function keepsText(name: string, core: string): boolean {
  return NOTHING.test(core) || (LITERAL.test(core) && isTokenCountName(name));
}

/** Redacts secret pairs inside one-line flow maps: `{"a": 1, "api_key": "x"}`, `openai: {key: x}`. */
function redactFlowPairs(s: string): string {
  if (!/[{,]/.test(s)) return s;
  let out = "";
  let from = 0;
  const pairs = new RegExp(FLOW_PAIR);
  for (let m = pairs.exec(s); m; m = pairs.exec(s)) {
    const start = m.index + m[0].length;
    if (!isSecretName(m[3]!)) {
      pairs.lastIndex = start;
      continue;
    }
    const { core, after, open } = scanValue(s.slice(start), true);
    if (open) return `${out}${s.slice(from, start)}${QUOTED}`;
    if (keepsText(m[3]!, core)) {
      pairs.lastIndex = start + core.length;
      continue;
    }
    out += `${s.slice(from, start)}${QUOTED}`;
    from = s.length - after.length;
    pairs.lastIndex = from;
  }
  return out + s.slice(from);
}

/**
 * One line inside a secret's value (a nested map or list, a multi-line array): keys and
 * structure are kept so YAML stays YAML, every value becomes "[redacted]". Undefined
 * drops the line (a continuation of the value just redacted).
 */
function redactInnerLine(line: string, st: Inner): string | undefined {
  const indent = indentOf(line);
  const rest = line.slice(indent);
  const pad = line.slice(0, indent);
  if (st.scalar !== undefined) {
    if (rest === "") return line;
    if (indent > st.scalar) return `${pad}${REDACTED}`;
    st.scalar = undefined;
  }
  if (/^[\]}),;]*[ \t]*$/.test(rest)) {
    st.lastBare = false;
    return line;
  }
  const comment = /^(#|\/\/|;)/.exec(rest);
  if (comment) return `${pad}${comment[1]} ${REDACTED}`;
  const dash = /^(?:-[ \t]+)*/.exec(rest)![0];
  let body = rest.slice(dash.length);
  if (body === "-") return line;
  const pair = INNER_PAIR.exec(body);
  if (pair) {
    st.lastBare = false;
    const props = PROPS.exec(pair[2]!)?.[1] ?? "";
    const value = pair[2]!.slice(props.length);
    const head = `${pad}${dash}${pair[1]}${props}`;
    if (value === "" || /^(#|\/\/)/.test(value)) return head.trimEnd();
    if (value === "[" || value === "{") return `${head}${value}`;
    if (BLOCK_SCALAR.test(value)) {
      st.scalar = indent + dash.length;
      return `${head}${value[0]}${/^[|>]([-+1-9]*)/.exec(value)![1]}`;
    }
    const { after } = scanValue(value, st.brackets);
    return `${head}${QUOTED}${keepAfter(after)}`;
  }
  let closers = "";
  if (st.brackets) {
    const m = /^(.*?)([ \t]*[\]}][\]}, \t;]*)$/.exec(body);
    if (m && m[1] !== "") [body, closers] = [m[1]!, m[2]!];
  }
  if (dash === "" && st.lastBare && closers === "") return undefined;
  const comma = /,[ \t]*$/.test(body) || (!/^["']/.test(body) ? false : /^[ \t]*,/.test(scanValue(body, true).after));
  st.lastBare = dash === "" && !comma && closers === "";
  return `${pad}${dash}${QUOTED}${comma ? "," : ""}${closers}`;
}

/**
 * Redacts a text config file (YAML, TOML, INI, .properties, .env, JSONC) line by line: the
 * value after `name:` or `name=` is replaced when the name looks secret, and so is whatever
 * that value spreads over on the lines below: a nested map or list (`api_keys:` then
 * `- sk-…`), a YAML block scalar (`token: |`), a multi-line array or string, a TOML/INI
 * section named like a secret. Keys and structure stay, so the file keeps parsing.
 *
 * @example
 * redactConfigText("openai:\n  api_key: sk-1\n  max_tokens: 512\n");
 * // 'openai:\n  api_key: "[redacted]"\n  max_tokens: 512\n'
 */
export function redactConfigText(text: string): string {
  const out: string[] = [];
  let block: Block | undefined;
  let secretSection = false;
  for (const raw of redactUrlCredentials(text).split("\n")) {
    const cr = raw.endsWith("\r") ? "\r" : "";
    const line = cr ? raw.slice(0, -1) : raw;
    const push = (l: string | undefined) => {
      if (l !== undefined) out.push(l + cr);
    };
    if (block) {
      const indent = indentOf(line);
      const blank = line.trim() === "";
      if (block.kind === "quote") {
        // Prefixed with the opening quote, the line ends the value where closingQuote says.
        const end = closingQuote(block.delim + line);
        if (end >= 0) {
          if (/^[ \t]*,/.test((block.delim + line).slice(end))) out[block.opener] = out[block.opener]!.replace(/(\r?)$/, ",$1");
          block = undefined;
        }
        continue;
      }
      if (block.kind === "brackets") {
        block.depth += bracketDelta(line);
        push(redactInnerLine(line, block.inner));
        if (block.depth <= 0) block = undefined;
        continue;
      }
      if (block.kind === "continuation") {
        if (!blank && indent > block.parent && !INNER_PAIR.test(line.slice(indent).replace(/^(?:-[ \t]+)*/, ""))) continue;
        block = undefined;
      } else if (blank || indent > block.parent || (block.allowSeq && indent === block.parent && /^-([ \t]|$)/.test(line.slice(indent)))) {
        if (blank) push(line);
        else if (block.scalar) push(`${line.slice(0, indent)}${REDACTED}`);
        else push(redactInnerLine(line, block.inner));
        continue;
      } else block = undefined;
    }

    const section = SECTION.exec(line);
    if (section && !section[1]!.includes(",")) {
      secretSection = isSecretName(section[1]!);
      push(line);
      continue;
    }
    const m = ASSIGNMENT.exec(line);
    if (!m) {
      push(redactFlowPairs(line));
      continue;
    }
    const [, prefix, commented, , name, , value] = m as unknown as string[];
    const headEnd = line.length - value!.length;
    if (!isSecretName(name!) && !(secretSection && !commented)) {
      push(line.slice(0, headEnd) + redactFlowPairs(value!));
      continue;
    }
    const props = commented ? "" : (PROPS.exec(value!)?.[1] ?? "");
    const head = line.slice(0, headEnd) + props;
    const v = value!.slice(props.length);
    const parent = prefix!.length;
    const inner = (brackets: boolean): Inner => ({ lastBare: false, brackets });
    if (v === "" || /^(#|\/\/)/.test(v)) {
      push(head.trimEnd());
      if (!commented) block = { kind: "indent", parent, allowSeq: true, scalar: false, inner: inner(false) };
      continue;
    }
    if (BLOCK_SCALAR.test(v) && !commented) {
      push(`${head}${v[0]}${/^[|>]([-+1-9]*)/.exec(v)![1]}`);
      block = { kind: "indent", parent, allowSeq: false, scalar: true, inner: inner(false) };
      continue;
    }
    const { core, after, open } = scanValue(v, false);
    if (open && !commented) {
      if (v[0] === "[" || v[0] === "{") {
        const rest = v.slice(1);
        const st = inner(true);
        push(`${head}${v[0]}${rest.trim() === "" ? "" : (redactInnerLine(rest.trimStart(), st) ?? "")}`);
        block = { kind: "brackets", depth: bracketDelta(v), inner: st };
      } else {
        push(`${head}${QUOTED}`);
        block = { kind: "quote", delim: v.startsWith('"""') || v.startsWith("'''") ? v.slice(0, 3) : v[0]!, opener: out.length - 1 };
      }
      continue;
    }
    if (!open && keepsText(name!, core)) {
      push(line);
      continue;
    }
    push(`${head}${QUOTED}${open ? "" : keepAfter(after)}`);
    if (!commented) block = { kind: "continuation", parent };
  }
  return out.join("\n");
}
