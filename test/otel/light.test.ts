/**
 * The OpenTelemetry packages load only when spans are sent: the library and the CLI's
 * start-up import none of them (the span processor only uses their types).
 */
import { beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "../../scripts/build";
import { REPO } from "../helpers/cli";

beforeAll(async () => {
  await build({ quiet: true });
});

const staticImports = (code: string) => [...code.matchAll(/(?:^|[;\n])\s*import[^("'`]*?from\s*["'](@opentelemetry\/[^"']+)["']|require\(["'](@opentelemetry\/[^"']+)["']\)/g)].map((m) => m[1] ?? m[2]);
const dynamicImports = (code: string) => [...code.matchAll(/import\(["'](@opentelemetry\/[^"']+)["']\)/g)].map((m) => m[1]);

test("the library (ESM and CJS) imports no @opentelemetry package", () => {
  for (const file of ["index.mjs", "index.cjs"]) {
    const code = readFileSync(join(REPO, "dist", "lib", file), "utf8");
    expect(staticImports(code)).toEqual([]);
    expect(dynamicImports(code)).toEqual([]);
  }
});

test("the Node CLI loads them only on demand", () => {
  const code = readFileSync(join(REPO, "dist", "cli.mjs"), "utf8");
  expect(staticImports(code)).toEqual([]);
  expect(new Set(dynamicImports(code))).toEqual(new Set(["@opentelemetry/resources", "@opentelemetry/otlp-transformer", "@opentelemetry/exporter-trace-otlp-http", "@opentelemetry/exporter-trace-otlp-proto"]));
});
