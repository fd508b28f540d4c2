/**
 * An OTLP/HTTP sink on 127.0.0.1 for the Langfuse peer: accepts every POST, counts the
 * spans in it, answers `{}` (an empty ExportTraceServiceResponse). It runs in its own
 * process so its work is not charged to the peer being measured. Prints its port on the
 * first line of stdout; `GET /__count` returns what it has seen.
 */
let spans = 0;
let requests = 0;
let bytes = 0;
const needle = '"spanId":"';

function countSpans(text: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    const url = new URL(req.url);
    if (req.method === "GET" && url.pathname === "/__count") return Response.json({ spans, requests, bytes });
    let body = new Uint8Array(await req.arrayBuffer());
    bytes += body.length;
    requests++;
    if (req.headers.get("content-encoding") === "gzip") body = Bun.gunzipSync(body);
    // JSON OTLP (the http exporter's default); a protobuf body is counted as one request only.
    if ((req.headers.get("content-type") ?? "").includes("json")) spans += countSpans(new TextDecoder().decode(body));
    return Response.json({});
  },
});
console.log(server.port);
process.stdin.on("end", () => process.exit(0)); // the parent closed our stdin: it is done
process.stdin.resume();
