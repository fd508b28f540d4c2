import { expect, test } from "bun:test";
import { pool } from "../../../src/remote/select";

test("pool keeps the order and caps how many run at once", async () => {
  let running = 0;
  let most = 0;
  const out = await pool([5, 1, 3, 2, 4], 2, async (x) => {
    most = Math.max(most, ++running);
    await Bun.sleep(x);
    running--;
    return x * 10;
  });
  expect(out).toEqual([50, 10, 30, 20, 40]);
  expect(most).toBe(2);
});

test("after a failure pool starts nothing new, and throws the first error once the started items have ended", async () => {
  const started: number[] = [];
  const ended: number[] = [];
  const p = pool([0, 1, 2, 3, 4, 5], 3, async (x) => {
    started.push(x);
    if (x === 0) throw new Error("boom");
    await Bun.sleep(20);
    ended.push(x);
  });
  await expect(p).rejects.toThrow("boom");
  expect(started).toEqual([0, 1, 2]); // 3, 4 and 5 never start
  expect(ended.sort()).toEqual(started.filter((x) => x !== 0).sort());
});
