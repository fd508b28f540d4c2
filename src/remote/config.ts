/**
 * Remotes: named S3-compatible buckets stored under "remotes" in `.scryptorum` (URL,
 * endpoint, region, path style; never a credential: keys come from the environment).
 */
import { readFileSync, writeFileSync, renameSync } from "node:fs";
import { join } from "pathe";
import { UserError } from "../core/errors";
import { ANCHOR_FILE } from "../core/layout";
import type { Project } from "../core/project";

export interface RemoteConfig {
  url: string;
  endpoint?: string;
  region?: string;
  path_style?: boolean;
}

export interface Remote extends RemoteConfig {
  name: string;
  bucket: string;
  prefix: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
// S3 bucket names: 3-63 lower-case letters, digits, dots and hyphens.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Splits `s3://<bucket>[/<prefix>]`; a UserError naming the fix otherwise. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(url);
  if (!m) throw new UserError(`remote URL "${url}" is not valid: write s3://<bucket>[/<prefix>]`);
  const bucket = m[1]!;
  if (!BUCKET.test(bucket)) throw new UserError(`bucket "${bucket}" in ${url} is not a valid S3 bucket name: use 3-63 lower-case letters, digits, "." or "-"`);
  const prefix = (m[2] ?? "").replace(/^\/+|\/+$/g, "");
  if (prefix.split("/").some((p) => p === "." || p === "..")) throw new UserError(`prefix "${prefix}" in ${url} may not hold "." or ".." parts`);
  return { bucket, prefix };
}

export function validateRemoteName(name: string): string {
  if (!NAME.test(name)) throw new UserError(`remote name "${name}" is not valid: use letters, digits, ".", "_" or "-" (at most 63)`);
  return name;
}

function validateEndpoint(endpoint: string): string {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw new UserError(`--endpoint "${endpoint}" is not a URL: write e.g. https://s3.example.com`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new UserError(`--endpoint "${endpoint}" must be http:// or https://`);
  if (u.username || u.password) throw new UserError(`--endpoint must not hold credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment`);
  return endpoint.replace(/\/+$/, "");
}

/** The `.scryptorum` file remotes are stored in; a UserError when the project has none. */
function anchorPath(project: Project): string {
  if (!project.anchorDir) {
    throw new UserError(`remotes are stored in .scryptorum, and project ${project.root} was not found through one: run \`scryptorum init\` in your repository first`);
  }
  return join(project.anchorDir, ANCHOR_FILE);
}

function readRemotes(project: Project): Record<string, RemoteConfig> {
  const remotes = project.anchor?.remotes;
  if (remotes === undefined) return {};
  if (!remotes || typeof remotes !== "object" || Array.isArray(remotes)) {
    throw new UserError(`"remotes" in ${anchorPath(project)} is not an object: fix it, or remove it and add the remotes again`);
  }
  return remotes as Record<string, RemoteConfig>;
}

function writeRemotes(project: Project, remotes: Record<string, RemoteConfig>): void {
  const path = anchorPath(project);
  const config = JSON.parse(readFileSync(path, "utf8"));
  if (Object.keys(remotes).length) config.remotes = remotes;
  else delete config.remotes;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + "\n");
  renameSync(tmp, path);
}

function toRemote(name: string, config: RemoteConfig): Remote {
  return { name, ...config, ...parseS3Url(config.url) };
}

export function listRemotes(project: Project): Remote[] {
  return Object.entries(readRemotes(project)).map(([name, c]) => toRemote(name, c));
}

export interface AddOptions {
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
}

/** Adds a remote; a UserError (nothing written) when the name is taken or an input is bad. */
export function addRemote(project: Project, name: string, url: string, opts: AddOptions = {}): Remote {
  validateRemoteName(name);
  parseS3Url(url);
  const config: RemoteConfig = { url };
  if (opts.endpoint) config.endpoint = validateEndpoint(opts.endpoint);
  if (opts.region) {
    if (!/^[a-z0-9-]{1,40}$/.test(opts.region)) throw new UserError(`--region "${opts.region}" is not valid: write e.g. us-east-1`);
    config.region = opts.region;
  }
  if (opts.pathStyle) config.path_style = true;
  const remotes = readRemotes(project);
  if (remotes[name]) throw new UserError(`remote "${name}" already exists (${remotes[name]!.url}): remove it first with \`scryptorum remote remove ${name}\``);
  writeRemotes(project, { ...remotes, [name]: config });
  return toRemote(name, config);
}

export function removeRemote(project: Project, name: string): Remote {
  const remotes = readRemotes(project);
  const config = remotes[name];
  if (!config) throw new UserError(`no remote named "${name}": see \`scryptorum remote list\``);
  delete remotes[name];
  writeRemotes(project, remotes);
  return toRemote(name, config);
}

/** The remote named, or the only one when no name is given. */
export function getRemote(project: Project, name?: string): Remote {
  const remotes = readRemotes(project);
  if (name) {
    const config = remotes[name];
    if (!config) throw new UserError(`no remote named "${name}": see \`scryptorum remote list\``);
    return toRemote(name, config);
  }
  const names = Object.keys(remotes);
  if (names.length === 1) return toRemote(names[0]!, remotes[names[0]!]!);
  if (!names.length) throw new UserError("no remote configured: add one with `scryptorum remote add <name> s3://<bucket>`");
  throw new UserError(`${names.length} remotes configured (${names.join(", ")}): pass --remote <name>`);
}
