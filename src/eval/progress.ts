/**
 * Progress of an evaluation on stderr: on a terminal, one line redrawn in place (cases done
 * of total, errors, spend, ETA) at most 10 times a second; otherwise (CI logs, a pipe) one
 * line per 10% done, so a log of a 5,000-case eval holds ten lines, not 5,000.
 */

export interface ProgressState {
  done: number;
  total: number;
  errors: number;
  spentUsd: number;
  elapsedMs: number;
}

const duration = (ms: number) => {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
};

/**
 * One progress line (no newline).
 *
 * @example
 * progressLine("qa", { done: 20, total: 200, errors: 1, spentUsd: 0.0123, elapsedMs: 4000 });
 * // "eval qa: 20/200 (10%), 1 error, $0.0123, ETA 36s"
 */
export function progressLine(label: string, s: ProgressState, width?: number): string {
  const pct = s.total === 0 ? 100 : Math.floor((s.done / s.total) * 100);
  const eta = s.done > 0 && s.done < s.total ? `, ETA ${duration((s.elapsedMs / s.done) * (s.total - s.done))}` : s.done >= s.total ? `, ${duration(s.elapsedMs)}` : "";
  const errors = `${s.errors} error${s.errors === 1 ? "" : "s"}`;
  const spend = s.spentUsd > 0 ? `, $${s.spentUsd.toFixed(4)}` : "";
  const text = `${s.done}/${s.total} (${pct}%), ${errors}${spend}${eta}`;
  if (width === undefined) return `eval ${label}: ${text}`;
  const barWidth = Math.max(0, Math.min(30, width - text.length - label.length - 10));
  if (barWidth < 5) return `eval ${label}: ${text}`.slice(0, width - 1);
  const filled = s.total === 0 ? barWidth : Math.round((s.done / s.total) * barWidth);
  return `eval ${label} [${"#".repeat(filled)}${"-".repeat(barWidth - filled)}] ${text}`;
}

/**
 * The deciles a non-terminal log prints a line at: each time `done` crosses another 10%.
 *
 * @example
 * decile(19, 200); // 0
 * decile(20, 200); // 1
 */
export function decile(done: number, total: number): number {
  return total === 0 ? 10 : Math.floor((done * 10) / total);
}

export interface Progress {
  update(s: Omit<ProgressState, "elapsedMs">): void;
  end(s: Omit<ProgressState, "elapsedMs">): void;
}

/** A reporter writing to `out` (stderr by default); `tty` decides the form. */
export function createProgress(label: string, opts: { tty?: boolean; write?: (text: string) => void; columns?: number } = {}): Progress {
  const tty = opts.tty ?? Boolean(process.stderr.isTTY);
  const write = opts.write ?? ((t: string) => void process.stderr.write(t));
  const start = performance.now();
  let lastDecile = 0;
  let lastDraw = -Infinity;
  let drawn = false;
  const state = (s: Omit<ProgressState, "elapsedMs">): ProgressState => ({ ...s, elapsedMs: performance.now() - start });
  return {
    update(s) {
      if (tty) {
        const now = performance.now();
        if (now - lastDraw < 100 && s.done < s.total) return;
        lastDraw = now;
        drawn = true;
        // A pseudo-terminal may report 0 columns: take 80 then.
        write(`\r\x1b[2K${progressLine(label, state(s), opts.columns || process.stderr.columns || 80)}`);
        return;
      }
      const d = decile(s.done, s.total);
      if (d > lastDecile && d < 10) {
        lastDecile = d;
        write(`${progressLine(label, state(s))}\n`);
      }
    },
    end(s) {
      if (tty) {
        write(`${drawn ? "\r\x1b[2K" : ""}${progressLine(label, state(s))}\n`);
        return;
      }
      write(`${progressLine(label, state(s))}\n`);
    },
  };
}
