import { describe, expect, test } from "bun:test";
import { otlpSettings, parseKeyValues } from "../../../src/otel/config";

describe("otlpSettings", () => {
  test("defaults: http/protobuf to localhost:4318/v1/traces", () => {
    expect(otlpSettings({}, {})).toMatchObject({ url: "http://localhost:4318/v1/traces", protocol: "http/protobuf", headers: {}, timeoutMs: 10000, includeContent: false });
  });

  test.each([
    [{}, { OTEL_EXPORTER_OTLP_ENDPOINT: "https://c.example/otel" }, "https://c.example/otel/v1/traces"],
    [{}, { OTEL_EXPORTER_OTLP_ENDPOINT: "https://c.example/", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://t.example/x" }, "https://t.example/x"],
    [{ endpoint: "http://flag:4318" }, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://t.example/x" }, "http://flag:4318/v1/traces"],
    [{ endpoint: "http://flag:4318/v1/traces" }, {}, "http://flag:4318/v1/traces"],
  ])("endpoint %j %j -> %s", (opts, env, url) => {
    expect(otlpSettings(opts, env).url).toBe(url);
  });

  test("flags win over the environment; signal-specific variables over generic ones", () => {
    const s = otlpSettings({ protocol: "http/json", headers: ["a=flag"] }, {
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_HEADERS: "a=env,b=env,c=x%3Dy",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "b=traces",
      OTEL_SERVICE_NAME: "svc",
      OTEL_RESOURCE_ATTRIBUTES: "service.name=other,team=ml",
      OTEL_EXPORTER_OTLP_TIMEOUT: "2500",
    });
    expect(s).toMatchObject({ protocol: "http/json", headers: { a: "flag", b: "traces", c: "x=y" }, serviceName: "svc", resourceAttributes: { team: "ml" }, timeoutMs: 2500 });
    expect(otlpSettings({}, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json", OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" }).protocol).toBe("http/json");
    expect(otlpSettings({}, { OTEL_RESOURCE_ATTRIBUTES: "service.name=from-attrs" }).serviceName).toBe("from-attrs");
  });

  test.each([
    [{ endpoint: "localhost:4318" }, {}, "--endpoint"],
    [{ endpoint: "ftp://x" }, {}, "only http:// and https://"],
    [{ protocol: "grpc" }, {}, "grpc is not supported"],
    [{ protocol: "thrift" }, {}, "--protocol thrift is not a protocol"],
    [{ headers: ["x"] }, {}, '--header "x" is not key=value'],
    [{}, { OTEL_EXPORTER_OTLP_HEADERS: "novalue" }, "OTEL_EXPORTER_OTLP_HEADERS"],
    [{}, { OTEL_EXPORTER_OTLP_TIMEOUT: "soon" }, "OTEL_EXPORTER_OTLP_TIMEOUT=soon"],
    [{}, { OTEL_EXPORTER_OTLP_ENDPOINT: "nope" }, "OTEL_EXPORTER_OTLP_ENDPOINT="],
  ])("%j %j: a UserError naming %s", (opts, env, message) => {
    expect(() => otlpSettings(opts, env)).toThrow(message);
    try {
      otlpSettings(opts, env);
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
  });

  test("parseKeyValues", () => {
    expect(parseKeyValues(" a = 1 , b=x%20y,, ", "X")).toEqual({ a: "1", b: "x y" });
  });
});
