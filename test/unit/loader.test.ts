/** The loader's fix of jiti's emitted-metadata fallback (pure string rewrite). */
import { describe, expect, test } from "bun:test";
import { fixMetadataFallback } from "../../src/loader";

describe("fixMetadataFallback", () => {
  test.each([
    [
      'a = Reflect.metadata?.("design:type", Function) || ((t) => t)',
      'a = Reflect.metadata?.("design:type", Function) || (() => {})',
    ],
    [
      '_d = Reflect.metadata?.("design:paramtypes", [String, typeof Foo === "undefined" ? Object : Foo]) || ((t) => t), _e = Reflect.metadata?.("design:paramtypes", []) || ((t) => t)',
      '_d = Reflect.metadata?.("design:paramtypes", [String, typeof Foo === "undefined" ? Object : Foo]) || (() => {}), _e = Reflect.metadata?.("design:paramtypes", []) || (() => {})',
    ],
    ['x = f(a(b(c))) || ((t) => t)', 'x = f(a(b(c))) || ((t) => t)'], // not metadata: left alone
    ['const id = (t) => t;', 'const id = (t) => t;'],
  ])("%s", (input, output) => {
    expect(fixMetadataFallback(input)).toBe(output);
  });
});
