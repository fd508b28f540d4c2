/**
 * Posting encoded spans from a Worker, for live export: the requests, their timeouts and
 * their retries live on another thread, unreferenced, so a slow or dead collector neither
 * takes time from the logging thread nor keeps the run's event loop from going idle. The
 * last request of a process that is ending is waited for synchronously (Atomics.wait), as
 * nothing asynchronous would run again. Bodies come from the official OTLP serializer
 * (send.ts); this only POSTs them, retrying 429/502/503/504 and network errors with
 * backoff within the timeout, as the official exporters do.
 */
import { Worker } from "node:worker_threads";

// CommonJS, evaluated in the Worker: nothing of ours needs to be found there (the binary has no files).
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { url, headers } = workerData;
const RETRYABLE = new Set([429, 502, 503, 504]);
async function send(body, contentType, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let backoff = 1000;
  let last = { status: 0, error: "no answer within " + timeoutMs + " ms" };
  for (let attempt = 0; attempt < 5; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    let retryAfter = 0;
    try {
      const r = await fetch(url, { method: "POST", headers: { ...headers, "content-type": contentType }, body, signal: AbortSignal.timeout(left) });
      await r.arrayBuffer().catch(() => {});
      if (r.ok) return { status: r.status };
      last = { status: r.status, error: "HTTP " + r.status + (r.statusText ? " " + r.statusText : "") };
      if (!RETRYABLE.has(r.status)) return last;
      retryAfter = Number(r.headers.get("retry-after")) * 1000 || 0;
    } catch (e) {
      const code = (e && e.cause && e.cause.code) || (e && e.code);
      last = { status: -1, error: "could not reach it" + (code ? " (" + code + ")" : e && e.message ? ": " + e.message : "") };
      if (e && e.name === "TimeoutError") last = { status: 0, error: "no answer within " + timeoutMs + " ms" };
    }
    const wait = retryAfter || Math.min(backoff * (0.8 + Math.random() * 0.4), 5000);
    backoff *= 1.5;
    if (Date.now() + wait >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return last;
}
parentPort.on("message", async (m) => {
  const result = await send(m.body, m.contentType, m.timeoutMs);
  if (m.flag) {
    Atomics.store(m.flag, 0, result.status === 0 ? -2 : result.status);
    Atomics.notify(m.flag, 0);
  } else parentPort.postMessage({ id: m.id, ...result });
});
`;

export interface PostResult {
  /** The HTTP status; 0 when no answer came in time, -1 when the collector could not be reached. */
  status: number;
  error?: string;
}

/**
 * A Worker that POSTs request bodies to one URL.
 *
 * @example
 * const poster = new Poster(url, headers);
 * await poster.post(body, "application/x-protobuf", 10_000);
 */
export class Poster {
  private worker: Worker;
  private waiting = new Map<number, (r: PostResult) => void>();
  private next = 0;

  constructor(url: string, headers: Record<string, string>) {
    this.worker = new Worker(WORKER, { eval: true, workerData: { url, headers } });
    this.worker.on("message", (m: PostResult & { id: number }) => {
      this.waiting.get(m.id)?.({ status: m.status, error: m.error });
      this.waiting.delete(m.id);
    });
    this.worker.on("error", (error) => {
      for (const done of this.waiting.values()) done({ status: -1, error: error.message });
      this.waiting.clear();
    });
    // After the listeners: adding a "message" listener refs the Worker again.
    this.worker.unref();
  }

  /** Posts a body; resolves with the answer (never rejects). */
  post(body: Uint8Array, contentType: string, timeoutMs: number): Promise<PostResult> {
    const id = ++this.next;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ id, body, contentType, timeoutMs });
    });
  }

  /** Posts a body and blocks this thread until it is answered or `timeoutMs` passed. */
  postSync(body: Uint8Array, contentType: string, timeoutMs: number): PostResult {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    this.worker.postMessage({ body, contentType, timeoutMs, flag });
    Atomics.wait(flag, 0, 0, timeoutMs + 100);
    const status = Atomics.load(flag, 0);
    if (status === 0 || status === -2) return { status: 0, error: `no answer within ${timeoutMs} ms` };
    if (status === -1) return { status: -1, error: "the collector could not be reached" };
    return status >= 200 && status < 300 ? { status } : { status, error: `HTTP ${status}` };
  }

  close(): void {
    void this.worker.terminate();
  }
}
