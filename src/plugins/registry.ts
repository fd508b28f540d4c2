/**
 * The plugin registry. Plugins get `onRunStart`, `onEvent` (every record) and
 * `onRunFinish`; a plugin that throws is reported once and never breaks the run.
 */
import { runtime, type RunPlugin as Plugin } from "../core/run";

export type { Plugin };

/**
 * @example
 * registry.register({ name: "echo", onEvent: (r) => console.error(r.event_type ?? r.name) });
 */
export const registry = {
  /** Adds a plugin; one with the same name is replaced. */
  register(plugin: Plugin): void {
    if (!plugin || typeof plugin.name !== "string" || plugin.name === "") {
      throw new TypeError("a plugin needs a name: registry.register({ name: \"my-plugin\", onEvent() {} })");
    }
    this.unregister(plugin.name);
    runtime.plugins.push(plugin);
  },
  unregister(name: string): boolean {
    const i = runtime.plugins.findIndex((p) => p.name === name);
    if (i >= 0) runtime.plugins.splice(i, 1);
    runtime.failedPlugins.delete(name);
    return i >= 0;
  },
  list(): readonly Plugin[] {
    return [...runtime.plugins];
  },
  clear(): void {
    runtime.plugins.length = 0;
    runtime.failedPlugins.clear();
  },
};
