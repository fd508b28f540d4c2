import { expect, test } from "bun:test";
import { createProgress, decile, progressLine } from "../../../src/eval/progress";

test.each([
  [{ done: 20, total: 200, errors: 1, spentUsd: 0.0123, elapsedMs: 4000 }, "eval qa: 20/200 (10%), 1 error, $0.0123, ETA 36s"],
  [{ done: 0, total: 5, errors: 0, spentUsd: 0, elapsedMs: 10 }, "eval qa: 0/5 (0%), 0 errors"],
  [{ done: 5, total: 5, errors: 2, spentUsd: 0, elapsedMs: 125_000 }, "eval qa: 5/5 (100%), 2 errors, 2m05s"],
])("progressLine %#", (s, line) => {
  expect(progressLine("qa", s)).toBe(line);
});

test("a terminal gets a bar redrawn in place", () => {
  expect(progressLine("qa", { done: 10, total: 20, errors: 0, spentUsd: 0, elapsedMs: 1000 }, 80)).toBe("eval qa [###############---------------] 10/20 (50%), 0 errors, ETA 1s");
});

test("not a terminal: one line per 10% crossed, then the last", () => {
  const out: string[] = [];
  const p = createProgress("qa", { tty: false, write: (t) => out.push(t) });
  for (let done = 1; done <= 45; done++) p.update({ done, total: 45, errors: 0, spentUsd: 0 });
  p.end({ done: 45, total: 45, errors: 0, spentUsd: 0 });
  expect(out.map((l) => l.match(/^eval qa: (\d+)\/45/)![1])).toEqual(["5", "9", "14", "18", "23", "27", "32", "36", "41", "45"]);
  expect(out.every((l) => l.endsWith("\n"))).toBe(true);
  expect(decile(19, 200)).toBe(0);
  expect(decile(20, 200)).toBe(1);
});

test("a terminal: the first update draws at once, redrawn in place; a pseudo-terminal of 0 columns gets 80", () => {
  const out: string[] = [];
  const p = createProgress("qa", { tty: true, columns: 0, write: (t) => out.push(t) });
  p.update({ done: 1, total: 4, errors: 0, spentUsd: 0 });
  p.end({ done: 4, total: 4, errors: 0, spentUsd: 0 });
  expect(out[0]).toStartWith("\r\x1b[2Keval qa [#######");
  expect(out[0]).toContain("] 1/4 (25%), 0 errors");
  expect(out.at(-1)).toMatch(/^\r\x1b\[2Keval qa: 4\/4 \(100%\), 0 errors, 0s\n$/);
});
