/**
 * `scryptorum serve`: the viewer and its JSON API on `Bun.serve`, loopback by default.
 *
 * Every request is checked before anything is read: its `Host` must name the bound address,
 * `localhost`, `127.0.0.1` or `[::1]` with the port (DNS rebinding gets 403); only GET and
 * HEAD are answered; names are checked against the contract's pattern; paths are resolved
 * inside the project with symlinks followed. Every response carries a strict CSP and
 * `nosniff`; no CORS header is ever sent; nothing a request names is fetched or imported.
 */
import { networkInterfaces } from "node:os";
import { UserError, isUserError } from "../core/errors";
import {
  artifactFile,
  callsView,
  casesView,
  compareView,
  experimentView,
  openContext,
  parseRunList,
  projectView,
  runDirChecked,
  runView,
  seriesView,
  snapshotFile,
  snapshotView,
  type ApiContext,
  type TailOffsets,
} from "./api";
import { HttpError, download, errorResponse, json, respond } from "./http";
import { tailStream } from "./tail";

export interface ServeOptions {
  /** The project root (the folder holding project.json). */
  projectRoot: string;
  /** Port; 0 picks a free one. Default 4280. */
  port?: number;
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Live-tail poll interval (ms); default 250. */
  pollMs?: number;
  /** Called with a one-line description of a request that failed on the server's side. */
  onError?: (message: string) => void;
}

export interface ServerHandle {
  /** `http://127.0.0.1:4280/` */
  url: string;
  host: string;
  port: number;
  /** Stops listening and closes open streams. */
  stop(): Promise<void>;
}

/** The Host header values a request may carry. */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set(["localhost", "127.0.0.1", "[::1]", urlHost(host)]);
  if (host === "0.0.0.0" || host === "::" || host === "[::]") {
    // Bound to every interface: the machine's own addresses, as IP literals only (a DNS
    // name could be rebound to them).
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) names.add(a.family === "IPv6" ? `[${a.address.split("%")[0]}]` : a.address);
    }
  }
  const out = new Set<string>();
  for (const n of names) {
    out.add(`${n.toLowerCase()}:${port}`);
    if (port === 80) out.add(n.toLowerCase());
  }
  return out;
}

/** A host as it appears in a URL: IPv6 in brackets. */
export function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** True for loopback addresses and names. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Each segment of a path, percent-decoded once; a malformed escape is a 400. */
function segments(path: string): string[] {
  return path.split("/").filter((s) => s !== "").map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new HttpError(400, "bad percent-encoding in the path");
    }
  });
}

function offsetParams(params: URLSearchParams): Partial<TailOffsets> {
  const out: Partial<TailOffsets> = {};
  for (const k of ["events", "metrics", "timings"] as const) {
    const raw = params.get(k);
    if (raw === null || raw === "") continue;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 0) throw new HttpError(400, `${k} must be a byte offset`);
    out[k] = n;
  }
  return out;
}

/**
 * Starts the viewer's server and returns once it listens.
 *
 * @example
 * const server = await startServer({ projectRoot, port: 0 });
 * console.log(server.url); // http://127.0.0.1:43127/
 * await server.stop();
 */
export async function startServer(opts: ServeOptions): Promise<ServerHandle> {
  if (typeof Bun === "undefined") {
    throw new UserError("`scryptorum serve` needs Bun's HTTP server: run the scryptorum binary, or `bunx scryptorum serve`");
  }
  const ctx: ApiContext = openContext(opts.projectRoot);
  const assets = await import("./assets");
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? 4280;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`port ${port} is not valid: use 0-65535 (0 picks a free port)`);
  const streams = new Set<AbortController>();
  let allowed = new Set<string>();

  const api = (req: Request, url: URL, parts: string[], server: Bun.Server<undefined>): Response => {
    const [head, exp, sub, run, what, ...rest] = parts;
    if (head === "project" && parts.length === 1) return json(projectView(ctx));
    if (head !== "experiments" || exp === undefined) throw new HttpError(404, "no such endpoint");
    if (parts.length === 2) return json(experimentView(ctx, exp));
    if (sub === "compare" && parts.length === 3) {
      return json(compareView(ctx, exp, parseRunList(url.searchParams.get("runs")), url.searchParams.get("baseline")));
    }
    if (sub !== "runs" || run === undefined) throw new HttpError(404, "no such endpoint");
    if (what === undefined) return json(runView(ctx, exp, run));
    if (what === "series" && rest.length === 0) return json(seriesView(ctx, exp, run));
    if (what === "llm-calls" && rest.length === 0) return json(callsView(ctx, exp, run, url.searchParams));
    if (what === "cases" && rest.length === 0) return json(casesView(ctx, exp, run));
    if (what === "snapshot") {
      if (rest.length === 0) return json(snapshotView(ctx, exp, run));
      const { file, view } = snapshotFile(ctx, exp, run, rest.join("/"));
      if (url.searchParams.get("download") === "1") return download(Bun.file(file), rest[rest.length - 1]!);
      return json(view);
    }
    if (what === "artifacts") {
      if (rest.length === 0) return json({ artifacts: runView(ctx, exp, run).artifacts });
      const { file, name } = artifactFile(ctx, exp, run, rest.join("/"));
      return download(Bun.file(file), name);
    }
    if (what === "stream" && rest.length === 0) {
      if (req.method !== "GET") throw new HttpError(405, "a stream is only opened by GET");
      const from = offsetParams(url.searchParams);
      const dir = runDirChecked(ctx, exp, run);
      const abort = new AbortController();
      streams.add(abort);
      req.signal.addEventListener("abort", () => abort.abort(), { once: true });
      abort.signal.addEventListener("abort", () => streams.delete(abort), { once: true });
      server.timeout(req, 0); // an open stream is not idle
      return respond(tailStream(dir, from, abort.signal, { intervalMs: opts.pollMs }), 200, {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",
      });
    }
    throw new HttpError(404, "no such endpoint");
  };

  const handle = (req: Request, server: Bun.Server<undefined>): Response => {
    // From the raw URL: a hostile Host header can make it unparseable as a URL.
    const rawPath = /^[a-z]+:\/\/[^/]*(\/[^?#]*)?/i.exec(req.url)?.[1] ?? "/";
    const isApi = rawPath === "/api" || rawPath.startsWith("/api/");
    const hostHeader = (req.headers.get("host") ?? "").toLowerCase();
    if (!allowed.has(hostHeader)) {
      return errorResponse(new HttpError(403, "this server only answers requests addressed to its own loopback address"), isApi);
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      const refused = errorResponse(new HttpError(405, "method not allowed: only GET and HEAD"), isApi);
      refused.headers.set("Allow", "GET, HEAD");
      return refused;
    }
    const url = new URL(req.url);
    const path = url.pathname;
    try {
      if (isApi) return api(req, url, segments(path).slice(1), server);
      if (path === "/" || path === "/index.html") {
        return respond(assets.indexHtml(), 200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache" });
      }
      if (path === "/assets/viewer.js") {
        return respond(assets.VIEWER_JS, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache" });
      }
      if (path === "/assets/viewer.css") {
        return respond(assets.VIEWER_CSS, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "no-cache" });
      }
      throw new HttpError(404, "not found");
    } catch (error) {
      if (error instanceof HttpError) return errorResponse(error, isApi);
      if (isUserError(error)) return errorResponse(new HttpError(404, "not found"), isApi);
      opts.onError?.(`${req.method} ${path}: ${(error as Error)?.message ?? String(error)}`);
      return errorResponse(new HttpError(500, "the server could not read this: see its stderr"), isApi);
    }
  };

  let server: Bun.Server<undefined>;
  try {
    // reusePort: false, or a second server could bind the same port (Bun's production mode sets SO_REUSEPORT).
    server = Bun.serve({ hostname: host, port, idleTimeout: 30, fetch: handle, development: false, reusePort: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || /in use/i.test(String((error as Error).message))) {
      throw new UserError(`port ${port} on ${host} is in use: pass --port <n> (or --port 0 for any free port)`, { cause: error });
    }
    if (code === "EADDRNOTAVAIL" || code === "EACCES") {
      throw new UserError(`cannot listen on ${host}:${port} (${code}): pass another --host or --port`, { cause: error });
    }
    throw error;
  }
  const boundPort = server.port ?? port;
  allowed = allowedHosts(host, boundPort);
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return {
    url: `http://${urlHost(shown)}:${boundPort}/`,
    host,
    port: boundPort,
    async stop() {
      for (const s of streams) s.abort();
      await server.stop(true);
    },
  };
}
