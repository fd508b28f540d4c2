/**
 * Whether a request to the bucket goes direct, past the proxy variables (pure). Bun's fetch
 * sends every request, loopback included, through `HTTP_PROXY`/`HTTPS_PROXY` (either case,
 * or `ALL_PROXY`): a MinIO or Ceph on this machine must not be reached through the office
 * proxy, so a loopback endpoint always goes direct, and so does a host `NO_PROXY` (or
 * `no_proxy`) names, with curl's rules.
 */

const LOOPBACK_V4 = /^127(?:\.\d{1,3}){3}$/;

/** True for `localhost` (and `*.localhost`), 127.0.0.0/8 and ::1. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  return h === "localhost" || h.endsWith(".localhost") || LOOPBACK_V4.test(h) || h === "::1" || h === "0:0:0:0:0:0:0:1";
}

/**
 * True when `NO_PROXY`/`no_proxy` names the URL's host: `*` (every host), an exact host or
 * IP, a domain (`example.com` or `.example.com`: it and its subdomains), optionally with
 * `:port` (then only that port).
 *
 * @example
 * noProxyMatches(new URL("https://s3.corp.example/b"), "localhost,.corp.example"); // true
 */
export function noProxyMatches(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === "*") return true;
    // [v6]:port, [v6], a bare v6 (several colons), or host[:port]
    const m = entry.startsWith("[") ? /^\[([^\]]*)\](?::(\d+))?$/.exec(entry) : entry.split(":").length > 2 ? [entry, entry] : /^([^:]*)(?::(\d+))?$/.exec(entry);
    if (!m) continue;
    const name = m[1]!.replace(/^\*?\./, "");
    const entryPort = m[2];
    if (entryPort && entryPort !== port) continue;
    if (name && (host === name || host.endsWith(`.${name}`))) return true;
  }
  return false;
}

/** True when a request to `url` must ignore the proxy variables. */
export function goesDirect(url: string | URL, env: Record<string, string | undefined> = process.env): boolean {
  const u = typeof url === "string" ? new URL(url) : url;
  return isLoopback(u.hostname) || noProxyMatches(u, env.NO_PROXY ?? env.no_proxy);
}
