/**
 * The Ceph S3 server the team-bucket tests use: the one scripts/test.ts started for the
 * whole run (its settings in SCRYPTORUM_TEST_S3), else one started here on first use and
 * stopped when this test process exits. When the suite's server failed to start
 * (SCRYPTORUM_TEST_S3_ERROR), every caller fails with that reason.
 */
import { afterAll, beforeAll } from "bun:test";
import { startS3Server, stopS3Server, type S3Server } from "../../scripts/s3-server";
import { ensureBinary } from "./cli";

let started: Promise<S3Server> | undefined;

export function s3Server(): Promise<S3Server> {
  const given = process.env.SCRYPTORUM_TEST_S3;
  const failed = process.env.SCRYPTORUM_TEST_S3_ERROR;
  if (failed) return Promise.reject(new Error(`the suite's S3 server did not start: ${failed}`));
  if (given) return Promise.resolve(JSON.parse(given) as S3Server);
  if (!started) {
    started = startS3Server();
    started.then((server) => process.on("exit", () => stopS3Server(server)));
  }
  return started;
}

/**
 * Stops the server s3Server() started here (none when the suite gave one): call it in the
 * test file's afterAll, since bun test does not run process "exit" handlers reliably and
 * the daemons would outlive it. The next s3Server() call starts a fresh one.
 */
export async function releaseS3Server(): Promise<void> {
  if (!started) return;
  const server = await started.catch(() => undefined);
  started = undefined;
  if (server) stopS3Server(server);
}

/**
 * The hooks of a bucket test file: before its tests, the server (and with `binary`, the
 * built binary, whose path is passed on), handed to `ready`; after them, releaseS3Server.
 *
 * @example
 * let server: S3Server;
 * useS3Server({ binary: true }, (s) => (server = s));
 */
export function useS3Server(opts: { binary?: boolean }, ready: (server: S3Server, binary?: string) => void): void {
  beforeAll(async () => {
    const server = await s3Server();
    ready(server, opts.binary ? await ensureBinary() : undefined);
  }, 120_000);
  afterAll(releaseS3Server);
}

/** The environment a CLI child needs to reach the server (no proxy for loopback). */
export function s3Env(server: S3Server, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    HTTP_PROXY: undefined, HTTPS_PROXY: undefined, http_proxy: undefined, https_proxy: undefined,
    ...extra,
  };
}
