/** Raw HTTP/1.1 requests for the viewer's tests: paths exactly as written (fetch would normalise `../`), any Host. */
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `GET path` to 127.0.0.1:port with the given Host (default `127.0.0.1:port`).
 *
 * @example
 * await rawGet(port, "/api/../etc/passwd");
 */
export function rawGet(port: number, path: string, opts: { host?: string | null; method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const host = opts.host === undefined ? `127.0.0.1:${port}` : opts.host;
    const lines = [`${opts.method ?? "GET"} ${path} HTTP/1.1`];
    if (host !== null) lines.push(`Host: ${host}`);
    for (const [k, v] of Object.entries(opts.headers ?? {})) lines.push(`${k}: ${v}`);
    lines.push("Connection: close", "", "");
    const socket = connect(port, "127.0.0.1", () => socket.write(lines.join("\r\n")));
    const chunks: Buffer[] = [];
    socket.on("data", (b) => chunks.push(b));
    socket.on("error", reject);
    socket.setTimeout(5000, () => socket.destroy(new Error(`timeout on ${path}`)));
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      const head = text.slice(0, split).split("\r\n");
      const status = Number(head[0]!.split(" ")[1]);
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(":");
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      let body = text.slice(split + 4);
      if (headers["transfer-encoding"] === "chunked") body = dechunk(body);
      resolve({ status, headers, body });
    });
  });
}

function dechunk(text: string): string {
  let out = "";
  let pos = 0;
  for (;;) {
    const nl = text.indexOf("\r\n", pos);
    if (nl < 0) break;
    const size = parseInt(text.slice(pos, nl), 16);
    if (!size) break;
    out += text.slice(nl + 2, nl + 2 + size);
    pos = nl + 2 + size + 2;
  }
  return out;
}
