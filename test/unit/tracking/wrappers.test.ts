import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Runner, estimateCost, llmCall } from "../../../src/index";
import { readLines, tempProject } from "../../helpers/project";

describe("llmCall", () => {
  test("prices each call the way wrapOpenAI does: cost_usd from the model and the usage", async () => {
    const { root } = tempProject();
    const usage = { prompt_tokens: 1000, completion_tokens: 200 };
    const ask = llmCall({ model: "gpt-4o", name: "ask" })(async (q: string) => ({ model: "gpt-4o", choices: [{ message: { content: q } }], usage }));
    const plain = llmCall({ model: "gpt-4o", name: "plain" })(async (q: string) => `no usage for ${q}`);
    await new Runner(root).runExperiment("priced", {
      runType: "milestone",
      runId: "t1",
      fn: async () => {
        await ask("hello");
        await plain("hello");
      },
    });
    const calls = readLines(join(root, "experiments/priced/runs/t1/run.jsonl")).filter((r) => r.event_type === "llm_call");
    expect(calls.map((c) => c.name)).toEqual(["ask", "plain"]);
    const expected = estimateCost("gpt-4o", usage);
    expect(expected).toBeGreaterThan(0);
    expect(calls[0]!.cost_usd).toBe(expected);
    // 1000 input tokens at $2.50/M and 200 output at $10/M, as the price table says for gpt-4o.
    expect(calls[0]!.cost_usd).toBeCloseTo(0.0045, 10);
    expect(calls[1]!.cost_usd).toBeNull();
  });
});
