/**
 * Calling plugins (the registry is src/plugins/registry.ts; the list lives in the runtime
 * object): each hook of each plugin, a failing plugin reported once and never breaking the
 * run, an async hook's promise kept until it settles (the CLI waits for it before exiting).
 */
import { runtime, type Plugin, type RunHandle } from "./runtime";

/** Hands a record just written to every plugin's `onEvent`. */
export function emitRecord(run: RunHandle, record: Record<string, unknown>, kind: "event" | "metric" | "timing"): void {
  for (const plugin of runtime.plugins) {
    if (plugin.onEvent) callPlugin(plugin, "onEvent", () => plugin.onEvent!(record, run, kind));
  }
}

/** Calls every plugin's `onRunStart` or `onRunFinish`. */
export function callRunHook(run: RunHandle, hook: "onRunStart" | "onRunFinish"): void {
  for (const plugin of runtime.plugins) {
    const fn = plugin[hook];
    if (fn) callPlugin(plugin, hook, () => fn.call(plugin, run));
  }
}

/** Runs one plugin hook; a failing plugin is reported once and never breaks the run. */
function callPlugin(plugin: Plugin, hook: string, fn: () => unknown): void {
  const report = (error: unknown) => {
    if (runtime.failedPlugins.has(plugin.name)) return;
    runtime.failedPlugins.add(plugin.name);
    process.stderr.write(`scryptorum: plugin "${plugin.name}" failed in ${hook}: ${(error as Error)?.message ?? error} (reported once; the run goes on)\n`);
  };
  try {
    const result = fn();
    if (result && typeof (result as Promise<unknown>).then === "function") {
      // Kept until it settles, so the CLI can let an async hook (an upload, say) finish.
      const work = (result as Promise<unknown>).then(undefined, report);
      runtime.pluginWork.add(work);
      void work.finally(() => runtime.pluginWork.delete(work));
    }
  } catch (error) {
    report(error);
  }
}
