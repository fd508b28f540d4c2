/**
 * One answer to "does this file go through the secrets policy, and how": used for the
 * experiment's `config/` copies, the code snapshot and git.diff alike, so no format is
 * redacted in one place and kept whole in another.
 */
import { basename, extname } from "pathe";
import { redactConfig, redactUrlCredentials } from "../core/redact.ts";
import { redactConfigText } from "../core/redact-text.ts";

const JSON_FILES = new Set([".json", ".jsonc", ".json5"]);
const TEXT_FILES = new Set([".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".properties", ".env", ".txt"]);
/** npm lockfiles: every key is a package name or path, never a setting; only URLs can hold credentials. */
const LOCKFILES = new Set(["package-lock.json", "npm-shrinkwrap.json"]);
/** package.json maps keyed by package name: `keytar` or `js-tokens` is no secret, its version no value to hide. */
const DEPENDENCY_MAPS = [
  "dependencies", "devDependencies", "peerDependencies", "optionalDependencies", "peerDependenciesMeta",
  "overrides", "resolutions",
];

/**
 * True for a file whose values may be secrets by name (`api_key: …`).
 *
 * @example
 * isConfigLike("config/settings.yaml"); // true
 * isConfigLike("src/index.ts");         // false
 */
export function isConfigLike(path: string): boolean {
  const ext = extname(path).toLowerCase();
  return JSON_FILES.has(ext) || TEXT_FILES.has(ext);
}

/**
 * The file with secret values replaced by "[redacted]", or undefined when it needs no
 * change (not config-like, or nothing secret in it), so callers keep the original bytes.
 * JSON is redacted structurally and re-printed; JSONC, JSON5 and JSON that does not
 * parse, line by line, as are the text formats.
 *
 * @example
 * redactFile("c.json", Buffer.from('{"api_key":"sk-1"}')); // Buffer '{\n  "api_key": "[redacted]"\n}\n'
 * redactFile("c.json", Buffer.from('{"model":"m"}'));      // undefined
 */
export function redactFile(path: string, content: Buffer): Buffer | undefined {
  if (!isConfigLike(path)) return undefined;
  // Valid UTF-8 is read as such; anything else as latin1, which maps bytes 1:1, so the
  // lines redaction does not touch come back byte for byte.
  const utf8 = content.toString("utf8");
  const encoding: BufferEncoding = Buffer.from(utf8, "utf8").equals(content) ? "utf8" : "latin1";
  const text = encoding === "utf8" ? utf8 : content.toString("latin1");
  const name = basename(path).toLowerCase();
  if (LOCKFILES.has(name)) {
    const clean = redactUrlCredentials(text);
    return clean === text ? undefined : Buffer.from(clean, encoding);
  }
  if (JSON_FILES.has(extname(path).toLowerCase())) {
    try {
      const parsed: unknown = JSON.parse(text.replace(/^\uFEFF/, ""));
      const clean = redactConfig(parsed);
      if (name === "package.json" && isObject(parsed) && isObject(clean)) {
        for (const key of DEPENDENCY_MAPS) if (key in parsed) clean[key] = urlsOnly(parsed[key]);
      }
      return JSON.stringify(clean) === JSON.stringify(parsed) ? undefined : Buffer.from(`${JSON.stringify(clean, null, 2)}\n`);
    } catch {
      // comments, trailing commas, or not JSON at all: the line-based reading copes
    }
  }
  const clean = redactConfigText(text);
  return clean === text ? undefined : Buffer.from(clean, encoding);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A deep copy with URL credentials redacted and every name left alone. */
function urlsOnly(value: unknown): unknown {
  if (typeof value === "string") return redactUrlCredentials(value);
  if (Array.isArray(value)) return value.map(urlsOnly);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    Object.defineProperty(out, key, { value: urlsOnly(v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
