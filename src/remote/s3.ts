/**
 * A small S3 client over fetch, signed with aws4fetch (SigV4): Bun's S3Client cannot send
 * the conditional headers (If-None-Match, If-Match) that multi-writer safety needs.
 * Credentials come from the environment only and never appear in a message.
 */
import { AwsClient } from "aws4fetch";
import { RemoteFailed, UserError } from "../core/errors";
import type { Remote } from "./config";
import { goesDirect } from "./proxy";

// Thrown here, imported from here by the rest of src/remote; the class is in core/errors.ts.
export { RemoteFailed };

function env(...names: string[]): string | undefined {
  for (const n of names) {
    const v = process.env[n];
    if (v) return v;
  }
  return undefined;
}

export class S3 {
  readonly endpoint: string;
  readonly region: string;
  private readonly aws: AwsClient;
  /** Past HTTP(S)_PROXY: a loopback endpoint, or one NO_PROXY names (Bun would proxy it). */
  private readonly direct: boolean;

  constructor(readonly remote: Remote) {
    const accessKeyId = env("AWS_ACCESS_KEY_ID", "S3_ACCESS_KEY_ID");
    const secretAccessKey = env("AWS_SECRET_ACCESS_KEY", "S3_SECRET_ACCESS_KEY");
    if (!accessKeyId || !secretAccessKey) {
      throw new UserError(`no credentials for remote "${remote.name}": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY) in the environment`);
    }
    this.region = remote.region ?? env("AWS_REGION", "S3_REGION", "AWS_DEFAULT_REGION") ?? "us-east-1";
    this.endpoint = (remote.endpoint ?? env("AWS_ENDPOINT_URL", "S3_ENDPOINT") ?? `https://s3.${this.region}.amazonaws.com`).replace(/\/+$/, "");
    this.direct = goesDirect(this.endpoint);
    this.aws = new AwsClient({ accessKeyId, secretAccessKey, sessionToken: env("AWS_SESSION_TOKEN", "S3_SESSION_TOKEN"), service: "s3", region: this.region });
  }

  /** The URL of a key (path style when asked for, or for a non-AWS endpoint). */
  url(key: string, query?: string): string {
    const path = key.split("/").map(encodeURIComponent).join("/");
    const q = query ? `?${query}` : "";
    const pathStyle = this.remote.path_style || !/amazonaws\.com$/.test(new URL(this.endpoint).hostname);
    if (pathStyle) return `${this.endpoint}/${this.remote.bucket}${path ? `/${path}` : ""}${q}`;
    const u = new URL(this.endpoint);
    return `${u.protocol}//${this.remote.bucket}.${u.host}/${path}${q}`;
  }

  key(rel: string): string {
    return this.remote.prefix ? `${this.remote.prefix}/${rel}` : rel;
  }

  /** One signed request; a network failure is a RemoteFailed naming the endpoint. */
  async request(method: string, key: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}, query?: string): Promise<Response> {
    try {
      // Signed here, sent by fetch: aws4fetch's own fetch cannot pass Bun's `proxy` option
      // (and would retry 5xx itself, under Bucket's retries).
      const signed = await this.aws.sign(this.url(key, query), { method, body: init.body, headers: init.headers });
      return await fetch(signed, this.direct ? ({ proxy: false } as RequestInit) : undefined);
    } catch (error) {
      throw new RemoteFailed(`remote "${this.remote.name}" cannot be reached at ${this.endpoint}: ${(error as Error).message}`);
    }
  }

  /** A RemoteFailed saying which refusal a response is (credentials, bucket, other). */
  async refusal(res: Response, what: string): Promise<RemoteFailed> {
    const text = await res.text().catch(() => "");
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? "";
    const r = `remote "${this.remote.name}"`;
    if (code === "NoSuchBucket" || (res.status === 404 && !code)) return new RemoteFailed(`${r}: bucket "${this.remote.bucket}" does not exist at ${this.endpoint} (create it, or fix the URL with \`scryptorum remote remove\` and \`remote add\`)`);
    if (code === "InvalidAccessKeyId" || code === "SignatureDoesNotMatch" || code === "ExpiredToken" || code === "InvalidToken") {
      return new RemoteFailed(`${r} refused the credentials (${code}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
    }
    if (res.status === 403) return new RemoteFailed(`${r} denied ${what} (${code || "403 Forbidden"}): the credentials lack permission on bucket "${this.remote.bucket}"`);
    return new RemoteFailed(`${r} refused ${what}: HTTP ${res.status}${code ? ` ${code}` : ""}`);
  }
}

export interface CheckResult {
  remote: string;
  endpoint: string;
  bucket: string;
  prefix: string;
  conditional_writes: boolean;
}

/**
 * Proves the backend is reachable, takes the credentials and honours conditional writes:
 * creates one key with If-None-Match: * twice (the second must get 412), then deletes it.
 * A backend that overwrites is refused for multi-writer use (RemoteFailed).
 */
export async function checkRemote(remote: Remote): Promise<CheckResult> {
  const s3 = new S3(remote);
  const key = s3.key(`.check/${Date.now().toString(36)}-${crypto.randomUUID()}`);
  const put = (body: string) => s3.request("PUT", key, { body, headers: { "if-none-match": "*", "content-type": "text/plain" } });
  const first = await put("first");
  if (!first.ok) throw await s3.refusal(first, "a write");
  const second = await put("second");
  try {
    if (second.status !== 412 && second.status !== 409) {
      if (!second.ok) throw await s3.refusal(second, "a write");
      throw new RemoteFailed(`remote "${remote.name}" does not honour conditional writes (If-None-Match: * overwrote an existing key): it cannot be shared by several writers safely; use a backend that does (AWS S3, MinIO, Ceph radosgw, R2)`);
    }
  } finally {
    const del = await s3.request("DELETE", key).catch(() => undefined);
    await del?.body?.cancel();
  }
  return { remote: remote.name, endpoint: s3.endpoint, bucket: remote.bucket, prefix: remote.prefix, conditional_writes: true };
}
