import { expect, test } from "bun:test";
import { makePrompt } from "../../../src/eval/prompt";

test("prompts: render, version, missing variables named", () => {
  const p = makePrompt("greet", "Hello {{ name }} from {{user.city}}");
  expect(p.render({ name: "Ada", user: { city: "Paris" } })).toBe("Hello Ada from Paris");
  expect(p.variables).toEqual(["name", "user.city"]);
  expect(p.version).toMatch(/^[0-9a-f]{12}$/);
  expect(makePrompt("greet", "Hello {{name}}!").version).not.toBe(p.version);
  expect(() => p.render({ name: "Ada" })).toThrow('prompt "greet" needs "user.city"');
});
