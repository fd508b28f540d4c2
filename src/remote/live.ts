/**
 * `scryptorum run --push`: the run pushed every few seconds while it runs, and once at its
 * end, from a timer of this process (async I/O, off the logging hot path: the writers never
 * wait for it). A failed push is reported and retried at the next tick.
 */
import { existsSync } from "node:fs";
import { join } from "pathe";
import { runDir } from "../core/layout";
import { validateName } from "../core/validate";
import type { Project } from "../core/project";
import { UserError } from "../core/errors";
import { Bucket } from "./bucket";
import { getRemote, type Remote } from "./config";
import { pushRun, type PushedRun } from "./push";
import { writerId } from "./state";

export interface LivePush {
  /** Stops the timer and pushes the run a last time; resolves with that push's result. */
  stop(): Promise<PushedRun | undefined>;
}

/** Seconds between live pushes: SCRYPTORUM_PUSH_INTERVAL, default 5. */
export function pushInterval(env = process.env): number {
  const v = Number(env.SCRYPTORUM_PUSH_INTERVAL);
  return Number.isFinite(v) && v > 0 ? v : 5;
}

/**
 * The remote `run --push [<remote>]` or `"push"` in .scryptorum (`true` or a remote's name)
 * asks for, checked before the run starts (remote known, credentials set); undefined when
 * neither asks.
 */
export function livePushRemote(project: Project, flag: string | boolean | undefined, milestone: boolean): Remote | undefined {
  const setting = (project.anchor as Record<string, unknown> | undefined)?.push;
  const asked = flag !== undefined && flag !== false ? flag : setting;
  if (asked === undefined || asked === false || asked === null) return undefined;
  if (typeof asked !== "string" && asked !== true) throw new UserError(`"push" in .scryptorum must be true or a remote's name`);
  if (!milestone) {
    if (flag === undefined || flag === false) return undefined; // the setting covers milestones only
    throw new UserError("--push is for milestones (a trial is scratch and is rewritten each time): add --milestone");
  }
  const remote = getRemote(project, typeof asked === "string" && asked !== "" ? asked : undefined);
  new Bucket(remote); // credentials present, or a UserError naming the variables
  return remote;
}

export function startLivePush(project: Project, remote: Remote, experiment: string, runId: string, opts: { intervalSeconds?: number; onError?: (error: unknown) => void } = {}): LivePush {
  const bucket = new Bucket(remote);
  const writer = writerId(project.root);
  const uploaded = new Map<string, Promise<void>>();
  let chain: Promise<PushedRun | undefined> = Promise.resolve(undefined);
  let failed = false;
  const once = (final: boolean) =>
    (chain = chain.then(() =>
      pushRun(project, bucket, writer, experiment, runId, uploaded).then(
        (r) => ((failed = false), r),
        (error) => {
          if (final) throw error;
          if (!failed) opts.onError?.(error); // said once until a push succeeds again
          failed = true;
          return undefined;
        },
      ),
    ));
  const timer = setInterval(() => void once(false), (opts.intervalSeconds ?? pushInterval()) * 1000);
  timer.unref?.();
  void once(false); // the snapshot goes up while the run starts
  return {
    stop() {
      clearInterval(timer);
      return once(true);
    },
  };
}

export interface AttachTarget {
  remote: Remote;
  experiment: string;
  runId: string;
}

/**
 * Parses `--attach <remote>:<experiment>/<run-id>` (the remote known, credentials set);
 * the experiment must be the one `run` was given.
 */
export function parseAttach(project: Project, spec: string, experiment: string): AttachTarget {
  const m = /^([^:]+):([^/]+)\/([^/]+)$/.exec(spec);
  if (!m) throw new UserError(`--attach "${spec}" is not valid: write --attach <remote>:<experiment>/<run-id>`);
  const [, remoteName, exp, runId] = m;
  validateName(exp, "--attach experiment");
  validateName(runId, "--attach run id");
  if (exp !== experiment) throw new UserError(`--attach names experiment "${exp}" but the run is for "${experiment}": give the same experiment`);
  const remote = getRemote(project, remoteName);
  new Bucket(remote);
  return { remote, experiment: exp!, runId: runId! };
}

/**
 * Brings the run to attach to here: pulled from the bucket (a copy with local changes is
 * kept as it is); a UserError when neither the bucket nor this machine has it.
 */
export async function pullForAttach(project: Project, t: AttachTarget): Promise<void> {
  const { pull } = await import("./pull");
  const has = () => existsSync(join(runDir(project.root, t.experiment, t.runId), "run.json"));
  try {
    await pull(project, t.remote, { experiment: t.experiment, runs: [t.runId] });
  } catch (error) {
    if (!(error instanceof UserError) || !has()) throw error; // not in the bucket yet, but here
  }
  if (!has()) throw new UserError(`run ${t.experiment}/${t.runId} is neither in remote "${t.remote.name}" nor here: start it first (scryptorum run ${t.experiment} --milestone --run-id ${t.runId} --push)`);
}
