/**
 * The secrets policy: values of keys or flags named like secrets, and credentials in
 * URLs, never land in a run. Used for run.json (argv, config) and copied config files.
 */

export const REDACTED = "[redacted]";

/**
 * Names that hold secrets: the contract's `*key*`, `*token*`, `*secret*`, `*password*`
 * globs (plus passwd, pwd, credential), anywhere in the name, in any case. Matching too
 * much (`keyboard`) costs a harmless value; matching too little leaks one.
 */
export const SECRET_NAME = /key|token|secret|passw(or)?d|pwd|credential/i;

/**
 * Exact names that match SECRET_NAME yet never hold a secret and are everywhere: every
 * package.json has `keywords`, every model config a `tokenizer`. Redacting them would
 * rewrite half the snapshotted config files for nothing.
 */
const NOT_SECRET = new Set(["keyword", "keywords", "tokenizer", "tokenizers"]);

/** True when a key or flag name looks like it holds a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !NOT_SECRET.has(name.toLowerCase());
}

/**
 * True for names that count tokens rather than hold one (`max_tokens`, `maxTokens`,
 * `num_tokens`, `max_output_tokens`, `tokens`, `max_tokens_to_sample`, `token_limit`):
 * the only secret-looking names whose numbers and booleans are kept. A plain `token`, and
 * `access_tokens`-like names, stay secrets: a numeric token is still a token.
 *
 * @example
 * isTokenCountName("maxTokens"); // true
 * isTokenCountName("api_token"); // false
 */
export function isTokenCountName(name: string): boolean {
  const snake = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
  if (/key|secret|passw|pwd|credential/.test(snake)) return false;
  if (/(^|[_.-])(access|refresh|auth|bearer|api|session|id|csrf|oauth)[_.-]?tokens?([_.-]|$)/.test(snake)) return false;
  return /(^|[_.-])tokens$/.test(snake) ||
    /(^|[_.-])(max|min|num|n)[_.-]?tokens?([_.-]|$)/.test(snake) ||
    /(^|[_.-])tokens?[_.-](count|limit|budget|per)([_.-]|$)/.test(snake);
}

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(:[^\s/@]*)?@/gi;

/**
 * Replaces `user:pass@` (or `token@`) in every URL inside a string.
 *
 * @example
 * redactUrlCredentials("https://bob:hunter2@example.com/x"); // "https://[redacted]@example.com/x"
 */
export function redactUrlCredentials(text: string): string {
  if (!text.includes("@")) return text;
  return text.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
}

/** Whether a value under a secret-looking name may stay: nothing to hide, or a token count. */
function keepsValue(name: string, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  return (typeof value === "number" || typeof value === "boolean") && isTokenCountName(name);
}

/**
 * A deep copy of a config value with secrets replaced by "[redacted]". Under a
 * secret-looking key everything is replaced whole, except null and the numbers and
 * booleans of token counts (`max_tokens: 512` is not a secret, `password: 123456` is).
 *
 * @example
 * redactConfig({ model: "gpt-4o", api_key: "sk-1", max_tokens: 10 });
 * // { model: "gpt-4o", api_key: "[redacted]", max_tokens: 10 }
 */
export function redactConfig<T>(value: T, seen = new WeakSet<object>()): T {
  if (typeof value === "string") return redactUrlCredentials(value) as T;
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value as object)) return "[Circular]" as T;
  seen.add(value as object);
  if (Array.isArray(value)) return value.map((v) => redactConfig(v, seen)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const secret = isSecretName(key) && !keepsValue(key, v);
    // defineProperty keeps "__proto__" an ordinary own key instead of setting the prototype.
    Object.defineProperty(out, key, {
      value: secret ? REDACTED : redactConfig(v, seen),
      enumerable: true, writable: true, configurable: true,
    });
  }
  return out as T;
}

/**
 * Redacts command-line arguments: `--api-key=x`, `--api-key x`, and URL credentials.
 * Token counts (`--max-tokens 512`) are kept.
 *
 * @example
 * redactArgv(["--api-key", "sk-1", "--model=gpt"]); // ["--api-key", "[redacted]", "--model=gpt"]
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  const count = (name: string, value: string) => isTokenCountName(name) && /^([-+]?\d+(\.\d+)?|true|false)$/i.test(value);
  for (let i = 0; i < argv.length; i++) {
    const arg = String(argv[i]);
    const flag = /^--?([A-Za-z0-9_.-]+)(=(.*))?$/s.exec(arg);
    if (flag && isSecretName(flag[1]!)) {
      if (flag[2] !== undefined) {
        out.push(count(flag[1]!, flag[3]!) ? arg : `${arg.slice(0, arg.indexOf("=") + 1)}${REDACTED}`);
      } else {
        out.push(arg);
        const next = argv[i + 1];
        if (next !== undefined && !String(next).startsWith("-")) {
          out.push(count(flag[1]!, String(next)) ? String(next) : REDACTED);
          i++;
        }
      }
      continue;
    }
    out.push(redactUrlCredentials(arg));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Text config files (YAML, TOML, INI, .properties, .env, JSONC): a line-by-line reading,
// with just enough structure to follow a secret's value onto the lines below its name.

