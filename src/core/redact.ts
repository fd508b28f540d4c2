/**
 * The secrets policy: values of keys or flags named like secrets, and credentials in
 * URLs, never land in a run. Used for run.json (argv, config) and copied config files.
 */

export const REDACTED = "[redacted]";

/**
 * Key or flag names that hold secrets, matched per word (`api_key`, `apiKey`, `API-KEY`,
 * `accessToken`, `client_secret`, `db_password`): a whole-string `*key*` would also catch
 * package.json's `keywords`.
 */
export const SECRET_NAME = /key|token|secret|passw(or)?d|credential/i;

function secretWord(word: string): boolean {
  return (
    word.endsWith("key") ||
    word.endsWith("keys") ||
    (word.includes("token") && !word.startsWith("tokeniz")) ||
    word.includes("secret") ||
    word.includes("passw") ||
    word.includes("credential") ||
    word === "pwd"
  );
}

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(:[^\s/@]*)?@/gi;

/** True when a key or flag name looks like it holds a secret. */
export function isSecretName(name: string): boolean {
  if (!SECRET_NAME.test(name) && !/pwd/i.test(name)) return false; // the cheap check first
  return name
    .split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/)
    .some((word) => word !== "" && secretWord(word.toLowerCase()));
}

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

/**
 * A deep copy of a config value with secrets replaced by "[redacted]". Numbers and booleans
 * under a secret-looking key are kept (`max_tokens: 512` is not a secret); strings, arrays and
 * objects under one are replaced whole.
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
    const secret = isSecretName(key) && v !== null && typeof v !== "number" && typeof v !== "boolean";
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
 *
 * @example
 * redactArgv(["--api-key", "sk-1", "--model=gpt"]); // ["--api-key", "[redacted]", "--model=gpt"]
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = String(argv[i]);
    const flag = /^--?([A-Za-z0-9_.-]+)(=(.*))?$/s.exec(arg);
    if (flag && isSecretName(flag[1]!)) {
      if (flag[2] !== undefined) out.push(`${arg.slice(0, arg.indexOf("=") + 1)}${REDACTED}`);
      else {
        out.push(arg);
        const next = argv[i + 1];
        if (next !== undefined && !String(next).startsWith("-")) {
          out.push(REDACTED);
          i++;
        }
      }
      continue;
    }
    out.push(redactUrlCredentials(arg));
  }
  return out;
}

/**
 * Redacts a text config file (YAML, .env style, TOML, INI) line by line: the value after
 * `name:` or `name=` is replaced when the name looks secret.
 */
export function redactConfigText(text: string): string {
  return redactUrlCredentials(text).replace(
    /^(\s*(?:export\s+)?["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*)(.+)$/gm,
    (line, head: string, name: string, value: string) =>
      isSecretName(name) && !/^[-+]?\d+(\.\d+)?\s*,?$/.test(value.trim()) && value.trim() !== "" &&
      !/^[{[]\s*$/.test(value.trim())
        ? `${head}"${REDACTED}"`
        : line,
  );
}
