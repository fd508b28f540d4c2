/**
 * Where and how to send: flags over the standard OpenTelemetry variables
 * (`OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT|HEADERS|PROTOCOL|TIMEOUT`, `OTEL_SERVICE_NAME`,
 * `OTEL_RESOURCE_ATTRIBUTES`) over the spec's defaults (http/protobuf to
 * http://localhost:4318/v1/traces). Every bad value is a UserError naming where it came from.
 */
import { UserError } from "../core/errors";

export type OtlpProtocol = "http/protobuf" | "http/json";
export const PROTOCOLS: readonly OtlpProtocol[] = ["http/protobuf", "http/json"];

/** What the user gave: flags of `export`/`run`, or the `"otlp"` section of `.scryptorum`. */
export interface OtlpOptions {
  endpoint?: string;
  protocol?: string;
  /** `k=v` strings (flags) or an object (`.scryptorum`). */
  headers?: readonly string[] | Record<string, string>;
  includeContent?: boolean;
  /** How to name each option in messages: "--endpoint" (default) or `"endpoint" in .scryptorum`, say. */
  label?: (option: "endpoint" | "protocol" | "header") => string;
}

export interface OtlpSettings {
  /** The full traces URL (…/v1/traces). */
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  timeoutMs: number;
  /** OTEL_SERVICE_NAME, else service.name of OTEL_RESOURCE_ATTRIBUTES, else undefined (the project's name is used). */
  serviceName?: string;
  resourceAttributes: Record<string, string>;
  includeContent: boolean;
}

type Env = Record<string, string | undefined>;
const flagLabel = (o: "endpoint" | "protocol" | "header") => `--${o}`;

function checkUrl(url: string, where: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`${where} ${JSON.stringify(url)} is not a URL: give the collector's address, like http://localhost:4318`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new UserError(`${where} ${url}: only http:// and https:// collectors are supported (OTLP over HTTP)`);
  }
  return url;
}

/** A base URL plus `v1/traces`, as OTEL_EXPORTER_OTLP_ENDPOINT means; a URL already ending so is kept. */
function tracesUrl(base: string): string {
  if (/\/v1\/traces\/?$/.test(base)) return base;
  return `${base.endsWith("/") ? base : `${base}/`}v1/traces`;
}

/**
 * `k=v,k2=v2` with URL-encoded values, as the OpenTelemetry variables write headers and
 * resource attributes.
 *
 * @example
 * parseKeyValues("a=1,b=x%20y", "OTEL_EXPORTER_OTLP_HEADERS"); // { a: "1", b: "x y" }
 */
export function parseKeyValues(text: string | undefined, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text || text.trim() === "") return out;
  for (const item of text.split(",")) {
    if (item.trim() === "") continue;
    const i = item.indexOf("=");
    const key = i > 0 ? item.slice(0, i).trim() : "";
    if (key === "") throw new UserError(`${where}: "${item.trim()}" is not key=value: write it as key=value,key2=value2`);
    let value = item.slice(i + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // Not URL-encoded after all: kept as written.
    }
    out[key] = value;
  }
  return out;
}

function headerFlags(headers: OtlpOptions["headers"], where: string): Record<string, string> {
  if (headers === undefined) return {};
  if (!Array.isArray(headers)) {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) {
      if (typeof v !== "string") throw new UserError(`${where} ${k}: the value must be a string, like {"authorization": "Bearer …"}`);
      out[k] = v;
    }
    return out;
  }
  const out: Record<string, string> = {};
  for (const h of headers as readonly string[]) {
    const i = h.indexOf("=");
    if (i <= 0) throw new UserError(`${where} ${JSON.stringify(h)} is not key=value: write it as ${where} authorization=Bearer…`);
    out[h.slice(0, i).trim()] = h.slice(i + 1);
  }
  return out;
}

function protocolOf(value: string, where: string): OtlpProtocol {
  if ((PROTOCOLS as readonly string[]).includes(value)) return value as OtlpProtocol;
  if (value === "grpc") throw new UserError(`${where} grpc is not supported: use http/protobuf (the default) or http/json, on the collector's HTTP port (4318)`);
  throw new UserError(`${where} ${value} is not a protocol: use http/protobuf or http/json`);
}

function timeoutOf(env: Env): number {
  for (const name of ["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"]) {
    const v = env[name];
    if (v === undefined || v.trim() === "") continue;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UserError(`${name}=${v} is not a timeout: give milliseconds, like 10000`);
    return n;
  }
  return 10_000;
}

/**
 * The settings of an export: options win over the environment, which wins over the defaults.
 *
 * @example
 * otlpSettings({ endpoint: "http://127.0.0.1:4318", headers: ["x-team=qa"] }, {}).url;
 * // "http://127.0.0.1:4318/v1/traces"
 */
export function otlpSettings(opts: OtlpOptions = {}, env: Env = process.env): OtlpSettings {
  const label = opts.label ?? flagLabel;
  let url: string;
  if (opts.endpoint !== undefined && opts.endpoint !== "") url = tracesUrl(checkUrl(opts.endpoint, label("endpoint")));
  else if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) url = checkUrl(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=");
  else if (env.OTEL_EXPORTER_OTLP_ENDPOINT) url = tracesUrl(checkUrl(env.OTEL_EXPORTER_OTLP_ENDPOINT, "OTEL_EXPORTER_OTLP_ENDPOINT="));
  else url = "http://localhost:4318/v1/traces";
  let protocol: OtlpProtocol;
  if (opts.protocol !== undefined && opts.protocol !== "") protocol = protocolOf(opts.protocol, label("protocol"));
  else if (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) protocol = protocolOf(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=");
  else if (env.OTEL_EXPORTER_OTLP_PROTOCOL) protocol = protocolOf(env.OTEL_EXPORTER_OTLP_PROTOCOL, "OTEL_EXPORTER_OTLP_PROTOCOL=");
  else protocol = "http/protobuf";
  const headers = {
    ...parseKeyValues(env.OTEL_EXPORTER_OTLP_HEADERS, "OTEL_EXPORTER_OTLP_HEADERS"),
    ...parseKeyValues(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, "OTEL_EXPORTER_OTLP_TRACES_HEADERS"),
    ...headerFlags(opts.headers, label("header")),
  };
  const resourceAttributes = parseKeyValues(env.OTEL_RESOURCE_ATTRIBUTES, "OTEL_RESOURCE_ATTRIBUTES");
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || resourceAttributes["service.name"] || undefined;
  return { url, protocol, headers, timeoutMs: timeoutOf(env), serviceName, resourceAttributes, includeContent: opts.includeContent === true };
}
