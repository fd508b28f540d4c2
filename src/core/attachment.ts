/**
 * A process attached to a run it did not open (`openRun`, SCRYPTORUM_RUN_DIR) can outlive
 * it: a worker still logging when its trial ended, or when the next trial emptied
 * `trial_run/` and started over. Its records would then go to deleted files, or, once its
 * files reopen (after `finish()`), into the next trial's. So an attached run watches the
 * run it joined and stops logging, with one warning on stderr, when:
 *
 * - run.json is gone, or names another run (another `started_at` or `pid`): the folder
 *   was emptied or replaced;
 * - a trial it joined while running has ended (`finished`, `failed`, `interrupted`): the
 *   next trial may empty the folder at any moment. (A milestone that ended keeps taking
 *   records: `openRun` on a finished milestone is how results are added afterwards.)
 *
 * The check reads run.json, off the logging path: every CHECK_MS on an unref'd timer,
 * and before a closed file reopens for a straggling record.
 */
import { readFileSync } from "node:fs";
import { join } from "pathe";

/** How often an attached run looks at the run it joined. */
export const CHECK_MS = 250;

const TERMINAL: ReadonlySet<unknown> = new Set(["finished", "failed", "interrupted"]);

/** What identifies one run in a folder that a new trial may reuse. */
export interface RunIdentity {
  started_at: string;
  pid: number;
  run_type: string;
  status: string;
}

/**
 * Why the run in `dir` is no longer the one `joined` describes, or undefined while it is
 * (also when run.json cannot be read for another reason: no guess).
 *
 * @example
 * endedReason("/p/experiments/e/runs/trial_run", meta); // "was replaced by another run (started 2026-…)"
 */
export function endedReason(dir: string, joined: RunIdentity): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, "run.json"), "utf8");
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "is gone (a new trial emptied its folder, or it was deleted)" : undefined;
  }
  let now: Partial<RunIdentity>;
  try {
    now = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (now.started_at !== joined.started_at || now.pid !== joined.pid) return `was replaced by another run (started ${now.started_at})`;
  if (joined.run_type === "trial" && !TERMINAL.has(joined.status) && TERMINAL.has(now.status)) return `has ended (${now.status})`;
  return undefined;
}

/** What an attachment stops: the run's three writers. */
interface Stoppable {
  close(): void;
  mayReopen?: () => boolean;
}

/**
 * Watches an attached run; on the first reason found, closes `writers` for good (their
 * buffered lines go to the files they had open, as they would have) and prints one warning.
 */
export class Attachment {
  private timer?: ReturnType<typeof setInterval>;
  private stopped = false;

  constructor(
    private readonly dir: string,
    private readonly label: string,
    private readonly joined: RunIdentity,
    private readonly writers: Stoppable[],
  ) {
    for (const w of writers) w.mayReopen = () => this.check() && (this.watch(), true);
    this.watch();
  }

  /** True while the run is still the one joined; else stops (once) and returns false. */
  check(): boolean {
    if (this.stopped) return false;
    const why = endedReason(this.dir, this.joined);
    if (why === undefined) return true;
    this.stop(why);
    return false;
  }

  /** The files were let go (the attached run's `finish()`): no need to look until one reopens. */
  release(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private watch(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setInterval(() => this.check(), CHECK_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private stop(why: string): void {
    this.stopped = true;
    this.release();
    for (const w of this.writers) {
      w.mayReopen = () => false;
      try {
        w.close();
      } catch {
        // its files are another run's concern now
      }
    }
    process.stderr.write(`scryptorum: ${this.label} ${why} while this process (pid ${process.pid}) was attached to it: its records from this process are dropped from now on\n`);
  }
}
