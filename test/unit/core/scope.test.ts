import { expect, test } from "bun:test";
import { Experiment } from "../../../src/core/experiment";
import { chargeCase, runInCase, type CaseScope, type Spend } from "../../../src/core/scope";
import { tempProject } from "../../helpers/project";

test("an llm_call logged inside a case charges its cost to the case and to its evaluation's spend (and the one that runs inside); an unpriced one under a budget is noted", () => {
  const { project } = tempProject();
  const run = new Experiment(project, "e").createRun();
  const outer: Spend = { usd: 0 };
  const spent: Spend = { usd: 0, parent: outer };
  const scope: CaseScope = { caseId: "c", trial: 0, cost: 0, retries: 0, capped: true, spent };
  runInCase(scope, () => {
    run.logLlmCall({ model: "m", input: "a", output: "b", costUsd: 0.25 });
    run.logEvent("llm_call", { model: "m2", cost_usd: 0.5 });
    run.logEvent("note", { cost_usd: 7 }); // not an llm_call
    run.logLlmCall({ model: "free-model", input: "a", output: "b" });
  });
  run.logLlmCall({ model: "m", input: "a", output: "b", costUsd: 1 }); // outside any case
  chargeCase({ cost_usd: 9 }); // no case: nothing
  expect(scope.cost).toBe(0.75);
  expect([spent.usd, outer.usd]).toEqual([0.75, 0.75]);
  expect(scope.unpriced).toBe("free-model");
  run.finish();
});
