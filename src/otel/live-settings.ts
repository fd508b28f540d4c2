/** What `scryptorum run` reads to turn live OpenTelemetry export on: `--otlp` and `"otlp"` in `.scryptorum`. */
import { UserError } from "../core/errors";
import { otlpSettings, type OtlpSettings } from "./config";

/**
 * The live-export settings `scryptorum run` asks for: `--otlp`, or `"otlp"` in `.scryptorum`
 * (`true`, or `{ endpoint?, protocol?, headers?, includeContent? }`); undefined when neither.
 * Checked before the run starts: a bad value is a UserError naming it.
 *
 * @example
 * liveSettings(true, undefined); // settings from OTEL_EXPORTER_OTLP_*
 */
export function liveSettings(flag: boolean | undefined, anchor: unknown, env = process.env): OtlpSettings | undefined {
  if (!flag && (anchor === undefined || anchor === false || anchor === null)) return undefined;
  if (anchor === undefined || anchor === null || anchor === true || anchor === false) return otlpSettings({}, env);
  const where = `"otlp" in .scryptorum`;
  if (typeof anchor !== "object" || Array.isArray(anchor)) {
    throw new UserError(`${where} must be true or an object like {"endpoint": "http://localhost:4318"}`);
  }
  const o = anchor as Record<string, unknown>;
  const known = ["endpoint", "protocol", "headers", "includeContent"];
  const unknown = Object.keys(o).find((k) => !known.includes(k));
  if (unknown) throw new UserError(`${where}: "${unknown}" is not a setting: use ${known.join(", ")}`);
  for (const k of ["endpoint", "protocol"]) {
    if (o[k] !== undefined && typeof o[k] !== "string") throw new UserError(`${where}: "${k}" must be a string`);
  }
  if (o.headers !== undefined && (typeof o.headers !== "object" || o.headers === null || Array.isArray(o.headers))) {
    throw new UserError(`${where}: "headers" must be an object like {"x-team": "qa"}`);
  }
  if (o.includeContent !== undefined && typeof o.includeContent !== "boolean") throw new UserError(`${where}: "includeContent" must be true or false`);
  return otlpSettings(
    { endpoint: o.endpoint as string | undefined, protocol: o.protocol as string | undefined, headers: o.headers as Record<string, string> | undefined, includeContent: o.includeContent as boolean | undefined, label: (k) => `${where}: "${k === "header" ? "headers" : k}"` },
    env,
  );
}
