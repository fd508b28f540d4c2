/**
 * The few bucket operations push and pull need, over the signed client in ./s3: create-only
 * PUT (If-None-Match: *), GET, paged LIST. Transient failures (network errors, 5xx, 429)
 * are retried with exponential backoff; every request is counted, so a push can say how
 * many it made.
 */
import { RemoteFailed, S3 } from "./s3";
import type { Remote } from "./config";

const RETRIES = 5;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const transient = (status: number) => status >= 500 || status === 429 || status === 408;

export class Bucket {
  readonly s3: S3;
  /** Requests sent, retries included. */
  requests = 0;

  constructor(readonly remote: Remote) {
    this.s3 = new S3(remote);
  }

  /** One request under the remote's prefix, retried on network errors and 5xx/429. */
  async send(method: string, rel: string, init: { body?: Uint8Array | string; headers?: Record<string, string>; query?: string } = {}): Promise<Response> {
    const key = rel === "" ? "" : this.s3.key(rel);
    for (let attempt = 0; ; attempt++) {
      this.requests++;
      let res: Response;
      try {
        res = await this.s3.request(method, key, { body: init.body as BodyInit | undefined, headers: init.headers }, init.query);
      } catch (error) {
        if (attempt >= RETRIES) throw error;
        await sleep(backoff(attempt));
        continue;
      }
      if (!transient(res.status) || attempt >= RETRIES) return res;
      await res.body?.cancel();
      await sleep(backoff(attempt));
    }
  }

  /**
   * Creates `rel` unless it exists: true when this call wrote it, false when it was there
   * already (412, or 409 on backends that answer a concurrent create so).
   */
  async putNew(rel: string, body: Uint8Array | string, contentType = "application/octet-stream"): Promise<boolean> {
    const res = await this.send("PUT", rel, { body, headers: { "if-none-match": "*", "content-type": contentType } });
    if (res.ok) {
      await res.body?.cancel();
      return true;
    }
    if (res.status === 412 || res.status === 409) {
      await res.body?.cancel();
      return false;
    }
    throw await this.s3.refusal(res, `writing ${this.s3.key(rel)}`);
  }

  /** The object's bytes, or undefined when it does not exist. */
  async get(rel: string): Promise<Uint8Array | undefined> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.send("GET", rel);
      if (res.status === 404) {
        const text = await res.text();
        if (/NoSuchBucket/.test(text)) throw await this.s3.refusal(new Response(text, { status: 404 }), "a read");
        return undefined;
      }
      if (!res.ok) throw await this.s3.refusal(res, `reading ${this.s3.key(rel)}`);
      try {
        return new Uint8Array(await res.arrayBuffer());
      } catch (error) {
        // The connection dropped mid-body: retry like any transient failure.
        if (attempt >= RETRIES) throw new RemoteFailed(`remote "${this.remote.name}": reading ${this.s3.key(rel)} failed: ${(error as Error).message}`);
        await sleep(backoff(attempt));
      }
    }
  }

  /** Every key under `rel` (relative to the remote's prefix), all pages. */
  async list(rel: string): Promise<string[]> {
    const prefix = this.s3.key(rel);
    const strip = this.remote.prefix ? this.remote.prefix.length + 1 : 0;
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const q = new URLSearchParams({ "list-type": "2", prefix, "max-keys": "1000" });
      if (token) q.set("continuation-token", token);
      const res = await this.send("GET", "", { query: q.toString() });
      if (!res.ok) throw await this.s3.refusal(res, "a listing");
      const xml = await res.text();
      for (const m of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(unescapeXml(m[1]!).slice(strip));
      token = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? unescapeXml(/<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1] ?? "") : undefined;
    } while (token);
    return keys;
  }
}

function backoff(attempt: number): number {
  return Math.min(2000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, "&");
}
