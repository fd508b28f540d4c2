/**
 * `bun run bench`: every benchmark, each printing its figures and the ratio to a baseline
 * measured in the same run. `bun run bench hotpath cli` runs only those groups.
 */
import { cpus, totalmem, release } from "node:os";
import { cpuModel } from "./bench/harness";

const groups: Record<string, () => Promise<void>> = {
  hotpath: async () => (await import("./bench/hotpath")).benchHotPath(),
  cli: async () => (await import("./bench/cli")).benchCli(),
  results: async () => (await import("./bench/results")).benchResults(),
  clients: async () => (await import("./bench/clients")).benchClients(),
  otel: async () => (await import("./bench/otel")).benchOtel(),
  binary: async () => (await import("./bench/binary")).benchBinary(),
  eval: async () => {
    await (await import("./bench/eval")).benchEval();
    await (await import("./bench/eval-memory")).benchEvalMemory();
  },
  launcher: async () => (await import("./bench/launcher")).benchLauncher(),
  remote: async () => (await import("./bench/remote")).benchRemote(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = wanted.length > 0 ? wanted : Object.keys(groups);
console.log(`machine: ${cpus().length} x ${cpuModel()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Bun ${Bun.version}`);
for (const name of names) {
  const run = groups[name];
  if (!run) {
    console.error(`unknown benchmark group "${name}": use one of ${Object.keys(groups).join(", ")}`);
    process.exit(2);
  }
  console.log(`\n## ${name}`);
  await run();
}
