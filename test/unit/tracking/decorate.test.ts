/** dualUse: the three call forms, and the prototype handed on by jiti's metadata decorators. */
import { describe, expect, test } from "bun:test";
import { dualUse } from "../../../src/tracking/decorate";

const named = dualUse(undefined, (fn, name) => Object.assign((...a: unknown[]) => `${name}:${fn(...a)}`, { wrapped: true }));

describe("dualUse", () => {
  test("a plain function takes its own name", () => {
    expect((named(function load() { return 1; }) as () => unknown)()).toBe("load:1");
  });
  test("a legacy descriptor gets its value wrapped, named after the key", () => {
    const d = named({}, "m", { value: () => 2, writable: true, configurable: true });
    expect(d.value()).toBe("m:2");
  });
  test("the prototype in place of the descriptor: the method is read from the prototype", () => {
    const proto = { m: () => 3 };
    const d = named(proto, "m", proto as PropertyDescriptor);
    expect(d).not.toBe(proto);
    expect(d.value()).toBe("m:3");
  });
  test("a legacy field is refused naming it", () => {
    expect(() => named({}, "f", { value: 1 })).toThrow("scryptorum wrappers decorate methods, not f");
  });
});
