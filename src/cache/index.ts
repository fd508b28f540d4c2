/**
 * The opt-in response cache (`SCRYPTORUM_CACHE=1`, or `scryptorum run --cache`): an LLM
 * response stored under the project's `cache/<provider>/<key>.json`, keyed by a hash of
 * the provider, the API, the model and the request less its non-semantic options, so a
 * milestone can be re-run offline and for free. Streams are stored as their chunks.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { hash } from "ohash";
import { dirname, join } from "pathe";
import { PROJECT_FILE } from "../core/layout";
import { currentCase } from "../core/scope";
import { writeJsonAtomic } from "../core/fsutil";

export const CACHE_DIR = "cache";
export const CACHE_FORMAT = 1;

/** What one cache file holds. */
export interface CacheEntry {
  format: number;
  provider: string;
  api: string;
  model: string;
  key: string;
  created_at: string;
  request: unknown;
  /** A complete response, or… */
  response?: unknown;
  /** …the chunks of a stream, in order. */
  chunks?: unknown[];
}

/** True when `SCRYPTORUM_CACHE` asks for the cache (`1`, `true`, `yes`, `on`). */
export function cacheEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.SCRYPTORUM_CACHE;
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

/** `<projectRoot>/cache`. */
export const cacheDir = (projectRoot: string) => join(projectRoot, CACHE_DIR);

const folders = new Map<string, string>();

/** A provider name safe as a folder name (`openai.chat` → `openai`). */
export function providerFolder(provider: string): string {
  let folder = folders.get(provider);
  if (folder === undefined) {
    const head = String(provider).split(".")[0]!.toLowerCase();
    folder = /^[a-z0-9][a-z0-9_-]{0,63}$/.test(head) ? head : "other";
    if (folders.size < 1000) folders.set(provider, folder);
  }
  return folder;
}

/** `<projectRoot>/cache/<provider>/<key>.json`. */
export const cacheFile = (projectRoot: string, provider: string, key: string) =>
  join(cacheDir(projectRoot), providerFolder(provider), `${key}.json`);

/**
 * The cache key of a request: an ohash of provider, API, model and the request without the
 * options named in `ignore` (ones that change neither the answer nor its shape), and of
 * the trial when it is not the first: inside `evaluate({ trials })` each trial of a case
 * gets its own answer (else every trial would replay the first), while trial 0 keeps the
 * key a call outside an evaluation has.
 *
 * @example
 * cacheKey("openai", "chat.completions", "gpt-4o", body, ["user", "metadata"]);
 */
export function cacheKey(provider: string, api: string, model: string, request: Record<string, unknown>, ignore: readonly string[] = [], trial = currentCase()?.trial ?? 0): string {
  const parts: Record<string, unknown> = { v: CACHE_FORMAT, provider, api, model, request: semanticRequest(request, ignore) };
  if (trial > 0) parts.trial = trial;
  return hash(parts);
}

/** The request as the cache keys and stores it: without the ignored options and undefined values. */
export function semanticRequest(request: Record<string, unknown>, ignore: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(request)) {
    if (ignore.includes(key) || request[key] === undefined) continue;
    out[key] = request[key];
  }
  return out;
}

/** The cached entry, or undefined on a miss (an unreadable file counts as a miss). */
export function readCacheEntry(projectRoot: string, provider: string, key: string): CacheEntry | undefined {
  let text: string;
  try {
    text = readFileSync(cacheFile(projectRoot, provider, key), "utf8");
  } catch {
    return undefined;
  }
  try {
    const entry = JSON.parse(text) as CacheEntry;
    return entry && entry.format === CACHE_FORMAT && (entry.response !== undefined || Array.isArray(entry.chunks)) ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** Stores an entry atomically (temp file, rename): a reader never sees half a file. */
export function writeCacheEntry(projectRoot: string, entry: CacheEntry): string {
  const path = cacheFile(projectRoot, entry.provider, entry.key);
  mkdirSync(dirname(path), { recursive: true });
  writeJsonAtomic(path, entry);
  return path;
}

/**
 * The project root a run belongs to (`<root>/experiments/<exp>/runs/<id>`), or undefined
 * when the folder is not laid out that way.
 */
export function projectRootOfRunDir(runDir: string): string | undefined {
  const root = join(runDir, "..", "..", "..", "..");
  return existsSync(join(root, PROJECT_FILE)) ? root : undefined;
}

export interface CacheStats {
  dir: string;
  entries: number;
  bytes: number;
  providers: Record<string, { entries: number; bytes: number }>;
}

/**
 * Counts the cached responses, per provider.
 *
 * @example
 * cacheStats(project.root); // { dir: ".../cache", entries: 12, bytes: 48213, providers: { openai: {…} } }
 */
export function cacheStats(projectRoot: string): CacheStats {
  const dir = cacheDir(projectRoot);
  const stats: CacheStats = { dir, entries: 0, bytes: 0, providers: {} };
  for (const provider of listDirs(dir)) {
    const p = { entries: 0, bytes: 0 };
    for (const name of readdirSync(join(dir, provider))) {
      if (!name.endsWith(".json")) continue;
      try {
        p.bytes += statSync(join(dir, provider, name)).size;
        p.entries++;
      } catch {}
    }
    stats.providers[provider] = p;
    stats.entries += p.entries;
    stats.bytes += p.bytes;
  }
  return stats;
}

/**
 * Deletes every cached response; returns what was there.
 *
 * @example
 * clearCache(project.root); // { dir: ".../cache", entries: 12, bytes: 48213, providers: {…} }
 */
export function clearCache(projectRoot: string): CacheStats {
  const stats = cacheStats(projectRoot);
  for (const provider of Object.keys(stats.providers)) rmSync(join(stats.dir, provider), { recursive: true, force: true });
  return stats;
}

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}
