/**
 * Watching the user's code from outside while it runs in the CLI's process. An uncaught
 * error or unhandled rejection fails the run as a throw would (two plain lines, not Bun's
 * code frame of the bundle), and work that can no longer settle fails it too: when the
 * event loop runs dry (`beforeExit`) while a promise we wait on is pending, nothing is left
 * that could settle it, and without us the process would end with the run marked finished.
 */

import { listen, unlisten, userListeners } from "../core/lifecycle";

export interface Watch {
  /** Awaits `work`; rejects on an uncaught error meanwhile, or with `stuck` when the event loop runs dry first. */
  settle<T>(work: Promise<T>, stuck: string): Promise<T>;
  /**
   * Resolves once the event loop has nothing left to run: timers, sockets, un-awaited work
   * all done. `quietOthers` detaches the other beforeExit listeners meanwhile, so that a
   * probe of ours does not call the user's a second time.
   */
  idle(opts?: { quietOthers?: boolean }): Promise<void>;
  /** Resolves after the current turn of the loop, once rejections left unhandled in it have been reported. */
  tick(): Promise<void>;
  /** Removes the process handlers. */
  close(): void;
}

/**
 * Installs `uncaughtException`/`unhandledRejection`/`beforeExit` handlers until `close()`.
 *
 * @example
 * const watch = watchUserCode();
 * try { await watch.settle(import(file), "its top-level await never settled"); } finally { watch.close(); }
 */
export function watchUserCode(): Watch {
  let fail!: (error: unknown) => void;
  // Rejects with the first uncaught error; every wait below races it.
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {});
  // An error the user's own handler deals with is theirs: the code goes on, and the run is
  // marked at exit if the process ends on it. Our listeners (this watch, the exit handlers) do not count.
  const onException = (error: unknown) => {
    if (userListeners("uncaughtException") === 0) fail(error);
  };
  const onRejection = (error: unknown) => {
    if (userListeners("unhandledRejection") === 0) fail(error);
  };
  const waiters = new Set<() => void>();
  const onIdle = () => {
    for (const wake of [...waiters]) wake();
  };
  listen("uncaughtException", onException);
  listen("unhandledRejection", onRejection);
  listen("beforeExit", onIdle);

  /** The next time the loop runs dry; `cancel` drops the wait. */
  const nextIdle = () => {
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => (wake = resolve));
    waiters.add(wake);
    // A wait begun inside a `beforeExit` listener would see none again unless the loop
    // runs once more: a no-op timer makes it run.
    setTimeout(() => {}, 0);
    return { promise, cancel: () => waiters.delete(wake) };
  };

  return {
    async settle(work, stuck) {
      const idle = nextIdle();
      const dry = idle.promise.then((): never => {
        throw new Error(stuck);
      });
      dry.catch(() => {});
      try {
        return await Promise.race([work, failed, dry]);
      } finally {
        idle.cancel();
      }
    },
    async idle(opts = {}) {
      const others = opts.quietOthers ? process.listeners("beforeExit").filter((l) => l !== onIdle) : [];
      for (const l of others) process.off("beforeExit", l);
      const idle = nextIdle();
      try {
        await Promise.race([idle.promise, failed]);
      } finally {
        idle.cancel();
        for (const l of others) process.on("beforeExit", l);
      }
    },
    async tick() {
      await Promise.race([new Promise((resolve) => setImmediate(resolve)), failed]);
    },
    close() {
      unlisten("uncaughtException", onException);
      unlisten("unhandledRejection", onRejection);
      unlisten("beforeExit", onIdle);
      waiters.clear();
    },
  };
}
