/**
 * Keeps the peer benchmark on loopback. Imported first: every way a peer could reach a
 * host from this process (fetch, node:http/https, node:net/tls, DNS) refuses any address
 * outside 127.0.0.0/8, ::1 and "localhost", and records the attempt so the report can say
 * so. run.ts also starts the benchmark in a network namespace that only has loopback,
 * where the machine allows it; this guard is the second fence and the witness.
 */
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";

/** Hosts something in this process tried to reach, refused. */
export const refused: string[] = [];

export function isLoopback(host: string | undefined | null): boolean {
  if (!host) return true; // node's default host is localhost
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1" || /^127\.\d+\.\d+\.\d+$/.test(h) || h === "::ffff:127.0.0.1";
}

function refuse(host: string, via: string): Error {
  refused.push(`${host} (${via})`);
  return new Error(`peer benchmark: refused a connection to ${host} via ${via}: only loopback is allowed`);
}

function hostOf(input: unknown): string | undefined {
  try {
    if (typeof input === "string") return new URL(input).hostname;
    if (input instanceof URL) return input.hostname;
    if (input && typeof input === "object" && "url" in input) return new URL((input as Request).url).hostname;
  } catch {}
  return undefined;
}

const realFetch = globalThis.fetch;
const guardedFetch = ((input: unknown, init?: RequestInit) => {
  const host = hostOf(input);
  if (!isLoopback(host)) return Promise.reject(refuse(String(host), "fetch"));
  return realFetch(input as Request, init);
}) as typeof fetch;
Object.assign(guardedFetch, realFetch);
globalThis.fetch = guardedFetch;

function guardRequest(mod: typeof http | typeof https, name: string) {
  for (const key of ["request", "get"] as const) {
    const real = mod[key] as (...args: unknown[]) => unknown;
    (mod as unknown as Record<string, unknown>)[key] = function (this: unknown, ...args: unknown[]) {
      const first = args[0];
      const host =
        typeof first === "string" || first instanceof URL
          ? hostOf(first)
          : ((first as { hostname?: string; host?: string } | undefined)?.hostname ?? (first as { host?: string } | undefined)?.host);
      if (!isLoopback(host?.replace(/:\d+$/, ""))) throw refuse(String(host), `${name}.${key}`);
      return real.apply(this, args);
    };
  }
}
guardRequest(http, "http");
guardRequest(https, "https");

const realConnect = net.Socket.prototype.connect as (...args: unknown[]) => net.Socket;
(net.Socket.prototype as unknown as { connect: unknown }).connect = function (this: net.Socket, ...args: unknown[]) {
  const first = args[0];
  let host: string | undefined;
  if (first && typeof first === "object") {
    const o = first as { host?: string; path?: string };
    if (o.path === undefined) host = o.host;
  } else if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    host = typeof args[1] === "string" ? args[1] : undefined;
  } else {
    host = undefined; // a Unix socket path
  }
  if (!isLoopback(host)) throw refuse(String(host), "net.connect");
  return realConnect.apply(this, args);
};

const realTlsConnect = tls.connect as (...args: unknown[]) => tls.TLSSocket;
(tls as unknown as { connect: unknown }).connect = function (...args: unknown[]) {
  const first = args[0];
  const host = first && typeof first === "object" ? (first as { host?: string }).host : typeof args[1] === "string" ? args[1] : undefined;
  if (!isLoopback(host)) throw refuse(String(host), "tls.connect");
  return realTlsConnect(...args);
};

const realLookup = dns.lookup as (...args: unknown[]) => void;
(dns as unknown as { lookup: unknown }).lookup = function (hostname: string, ...rest: unknown[]) {
  if (!isLoopback(hostname)) {
    const cb = rest[rest.length - 1];
    const error = refuse(hostname, "dns.lookup");
    if (typeof cb === "function") return queueMicrotask(() => cb(error));
    throw error;
  }
  return realLookup(hostname, ...rest);
};
const realPromisesLookup = dns.promises.lookup;
(dns.promises as unknown as { lookup: unknown }).lookup = (hostname: string, ...rest: unknown[]) =>
  isLoopback(hostname) ? (realPromisesLookup as (...a: unknown[]) => unknown)(hostname, ...rest) : Promise.reject(refuse(hostname, "dns.promises.lookup"));
