/**
 * Responses of the viewer's server: the security headers every response carries, JSON,
 * errors, and downloads.
 */

/** A request the server refuses: status and a short plain message (never a path or a stack). */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** The Content-Security-Policy of every page and response the server sends. */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers on every response. No CORS header is ever sent. */
export function securityHeaders(): Record<string, string> {
  return {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
  };
}

/** A response with the security headers and `headers` on top. */
export function respond(body: BodyInit | null, status: number, headers: Record<string, string>): Response {
  return new Response(body, { status, headers: { ...securityHeaders(), ...headers } });
}

/** JSON, never cached. */
export function json(value: unknown, status = 200): Response {
  return respond(JSON.stringify(value), status, {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
  });
}

/** An error as JSON `{error}` for /api/, plain text elsewhere. */
export function errorResponse(error: HttpError, api: boolean): Response {
  if (api) return json({ error: error.message }, error.status);
  return respond(`${error.status} ${error.message}\n`, error.status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" });
}

/** A file as a download: never rendered by the browser, whatever it holds. */
export function download(file: Blob, name: string): Response {
  const ascii = name.replace(/[^A-Za-z0-9._-]/g, "_") || "download";
  return respond(file, 200, {
    "Content-Type": "application/octet-stream",
    "Content-Disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${rfc5987(name)}`,
    "Cache-Control": "no-store",
  });
}

function rfc5987(name: string): string {
  return encodeURIComponent(name).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
