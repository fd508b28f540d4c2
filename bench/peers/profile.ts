/**
 * One tracker's hot loop for a few seconds, to profile where its time goes:
 *   bun --cpu-prof --cpu-prof-md --cpu-prof-dir=/tmp/prof bench/peers/profile.ts <tracker> <sync|async|llm> [seconds]
 * tracker: scryptorum, weave, braintrust, langfuse. The tracker's flush runs every 1,500 calls,
 * as in the benchmark. Run it inside the same fence as run.ts when profiling a peer:
 *   unshare -n sh -c 'ip link set lo up && exec bun --cpu-prof … bench/peers/profile.ts langfuse llm'
 */
import "./guard";
import * as peers from "./peers";

const [name = "scryptorum", kind = "llm", secondsArg = "5"] = process.argv.slice(2);
const setups = { scryptorum: peers.scryptorum, weave: peers.weave, braintrust: peers.braintrust, langfuse: peers.langfuse } as const;
const setup = setups[name as keyof typeof setups];
if (!setup || !["sync", "async", "llm"].includes(kind)) {
  console.error("usage: bun --cpu-prof --cpu-prof-md bench/peers/profile.ts <scryptorum|weave|braintrust|langfuse> <sync|async|llm> [seconds]");
  process.exit(2);
}
const scry = await peers.scryptorum();
const t = name === "scryptorum" ? scry : await setup();
const call = kind === "sync" ? t.wrapSync((x) => x + 1) : kind === "async" ? t.wrapAsync(async (x) => x + 1) : t.llm;
const until = performance.now() + Number(secondsArg) * 1000;
let calls = 0;
await scry.inRun(async () => {
  while (performance.now() < until) {
    for (let i = 0; i < 1500; i++) {
      const r = call(i);
      if (r instanceof Promise) await r;
    }
    await t.flush();
    await t.after?.();
    calls += 1500;
  }
});
console.log(`${name} ${kind}: ${calls} calls, ${(Number(secondsArg) * 1e6 / calls).toFixed(2)} µs per call (profiler on)`);
if (t !== scry) await t.close();
await scry.close();
process.exit(0);
