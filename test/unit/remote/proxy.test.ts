import { expect, test } from "bun:test";
import { goesDirect, isLoopback, noProxyMatches } from "../../../src/remote/proxy";

test.each([
  ["127.0.0.1", true],
  ["127.1.2.3", true],
  ["localhost", true],
  ["LOCALHOST.", true],
  ["minio.localhost", true],
  ["[::1]", true],
  ["::1", true],
  ["128.0.0.1", false],
  ["10.0.0.1", false],
  ["localhost.example.com", false],
  ["s3.amazonaws.com", false],
])("isLoopback(%p) is %p", (host, want) => {
  expect(isLoopback(host)).toBe(want);
});

test.each([
  ["https://s3.corp.example/b", "s3.corp.example", true],
  ["https://s3.corp.example/b", "corp.example", true],
  ["https://s3.corp.example/b", ".corp.example", true],
  ["https://s3.corp.example/b", "*.corp.example", true],
  ["https://s3.corp.example/b", "other.example, localhost", false],
  ["https://s3.corp.example/b", "xcorp.example", false],
  ["https://s3.corp.example/b", "*", true],
  ["https://s3.corp.example/b", "s3.corp.example:443", true],
  ["https://s3.corp.example/b", "s3.corp.example:9000", false],
  ["http://s3.corp.example:9000/b", "s3.corp.example:9000", true],
  ["http://10.1.2.3:9000/b", "10.1.2.3", true],
  ["http://[fd00::5]:9000/b", "fd00::5", true],
  ["http://[fd00::5]:9000/b", "[fd00::5]:9000", true],
  ["http://[fd00::5]:9000/b", "[fd00::5]:80", false],
  ["http://s3.corp.example/b", "", false],
])("noProxyMatches(%p, %p) is %p", (url, list, want) => {
  expect(noProxyMatches(new URL(url), list)).toBe(want);
});

test("goesDirect: loopback always; others when NO_PROXY or no_proxy names them", () => {
  expect(goesDirect("http://127.0.0.1:7480", {})).toBe(true);
  expect(goesDirect("http://localhost:9000", { HTTP_PROXY: "http://proxy:3128" })).toBe(true);
  expect(goesDirect("https://s3.corp.example", { HTTPS_PROXY: "http://proxy:3128" })).toBe(false);
  expect(goesDirect("https://s3.corp.example", { NO_PROXY: "corp.example" })).toBe(true);
  expect(goesDirect("https://s3.corp.example", { no_proxy: ".corp.example" })).toBe(true);
});
