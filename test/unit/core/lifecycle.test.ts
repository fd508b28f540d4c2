/** Our own process listeners, kept in the shared runtime: what is left over is the user's code's. */
import { afterEach, describe, expect, test } from "bun:test";
import { listen, unlisten, userListeners } from "../../../src/core/lifecycle";

const added: [string, () => void, boolean][] = [];
afterEach(() => {
  for (const [event, fn, ours] of added.splice(0)) {
    if (ours) unlisten(event as "beforeExit", fn);
    else process.off(event, fn);
  }
});
const ours = (event: "beforeExit" | "SIGINT" | "unhandledRejection") => {
  const fn = () => {};
  listen(event, fn);
  added.push([event, fn, true]);
};
const theirs = (event: string) => {
  const fn = () => {};
  process.on(event, fn);
  added.push([event, fn, false]);
};

describe("userListeners", () => {
  test.each(["beforeExit", "SIGINT", "unhandledRejection"] as const)("%s: counts the listeners that are not ours", (event) => {
    const before = userListeners(event);
    ours(event);
    ours(event);
    expect(userListeners(event)).toBe(before);
    theirs(event);
    expect(userListeners(event)).toBe(before + 1);
  });

  test("a listener added by another copy of the module counts as ours too (the set lives in the shared runtime)", async () => {
    // A second instance of the module, as a user's own install of scryptorum would load.
    const copy = (await import(`../../../src/core/lifecycle.ts?copy=${Date.now()}`)) as typeof import("../../../src/core/lifecycle");
    expect(copy.listen).not.toBe(listen);
    const before = userListeners("beforeExit");
    const fn = () => {};
    copy.listen("beforeExit", fn);
    expect(userListeners("beforeExit")).toBe(before);
    copy.unlisten("beforeExit", fn);
    expect(process.listeners("beforeExit")).not.toContain(fn);
  });

  test("unlisten removes the listener and forgets it", () => {
    const fn = () => {};
    listen("beforeExit", fn);
    unlisten("beforeExit", fn);
    const before = userListeners("beforeExit");
    process.on("beforeExit", fn);
    expect(userListeners("beforeExit")).toBe(before + 1);
    process.off("beforeExit", fn);
  });
});
