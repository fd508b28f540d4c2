/**
 * `scryptorum remote add|list|remove|check` in-process through the CLI's dispatcher, `check`
 * against a real S3 server (Ceph radosgw, started once per test run); the proxy test goes
 * through the binary (proxy variables are read by the process at start-up).
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bin, cmd, tempDir } from "../helpers/cli";
import { s3Env, useS3Server } from "../helpers/s3";
import type { S3Server } from "../../scripts/s3-server";

let server: S3Server;
useS3Server({ binary: false }, (s) => (server = s));

async function project(): Promise<string> {
  const dir = tempDir("scryptorum-remote-");
  expect((await cmd(["init"], { cwd: dir })).code).toBe(0);
  return dir;
}

describe("remote add, list, remove", () => {
  test("are stored in .scryptorum without any credential; bad input exits 2 and writes nothing", async () => {
    const dir = await project();
    const env = s3Env(server);
    const add = await cmd(["remote", "add", "team", `s3://${server.bucket}/proj`, "--endpoint", server.endpoint, "--path-style"], { cwd: dir, env });
    expect(add.code).toBe(0);
    const anchor = readFileSync(join(dir, ".scryptorum"), "utf8");
    expect(JSON.parse(anchor).remotes).toEqual({ team: { url: `s3://${server.bucket}/proj`, endpoint: server.endpoint, path_style: true } });
    expect(anchor).not.toContain(server.secretAccessKey);
    expect(anchor).not.toContain(server.accessKeyId);

    const list = await cmd(["remote", "list", "--json"], { cwd: dir, env });
    expect(JSON.parse(list.stdout)).toEqual([{ name: "team", url: `s3://${server.bucket}/proj`, endpoint: server.endpoint, path_style: true, bucket: server.bucket, prefix: "proj" }]);

    for (const args of [["remote", "add", "team", "s3://other"], ["remote", "add", "x", "http://bucket"], ["remote", "add", "x", "s3://Bad_Bucket"], ["remote", "add", "x", "s3://ok-bucket", "--endpoint", "ftp://h"]]) {
      const r = await cmd(args, { cwd: dir, env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/remote "team" already exists|s3:\/\/<bucket>|not a valid S3 bucket name|must be http/);
      expect(readFileSync(join(dir, ".scryptorum"), "utf8")).toBe(anchor);
    }

    expect((await cmd(["remote", "remove", "team"], { cwd: dir, env })).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, ".scryptorum"), "utf8")).remotes).toBeUndefined();
    const missing = await cmd(["remote", "remove", "team"], { cwd: dir, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no remote named "team"');
  });
});

describe("remote check (Ceph radosgw)", () => {
  test("passes on a backend that enforces If-None-Match: * and prints no secret", async () => {
    const dir = await project();
    const env = s3Env(server);
    await cmd(["remote", "add", "team", `s3://${server.bucket}/p`, "--endpoint", server.endpoint], { cwd: dir, env });
    const r = await cmd(["remote", "check", "--json"], { cwd: dir, env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ remote: "team", endpoint: server.endpoint, bucket: server.bucket, prefix: "p", conditional_writes: true });
    const text = await cmd(["remote", "check", "team"], { cwd: dir, env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("conditional writes honoured");
    for (const o of [r.stdout, r.stderr, text.stdout, text.stderr]) expect(o).not.toContain(server.secretAccessKey);
  });

  test("wrong credentials, a missing bucket and an unreachable endpoint exit 1 saying which", async () => {
    const dir = await project();
    const env = s3Env(server);
    await cmd(["remote", "add", "team", `s3://${server.bucket}`, "--endpoint", server.endpoint], { cwd: dir, env });
    await cmd(["remote", "add", "nobucket", "s3://no-such-bucket-here", "--endpoint", server.endpoint], { cwd: dir, env });
    await cmd(["remote", "add", "down", `s3://${server.bucket}`, "--endpoint", "http://127.0.0.1:9"], { cwd: dir, env });
    const before = readFileSync(join(dir, ".scryptorum"), "utf8");

    const wrongSecret = "wrong" + server.secretAccessKey.slice(5);
    const wrong = await cmd(["remote", "check", "team"], { cwd: dir, env: s3Env(server, { AWS_SECRET_ACCESS_KEY: wrongSecret }) });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("refused the credentials");
    expect(wrong.stderr).not.toContain(wrongSecret);
    const wrongKey = await cmd(["remote", "check", "team"], { cwd: dir, env: s3Env(server, { AWS_ACCESS_KEY_ID: "NOSUCHKEY" }) });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain("refused the credentials");

    const nobucket = await cmd(["remote", "check", "nobucket"], { cwd: dir, env });
    expect(nobucket.code).toBe(1);
    expect(nobucket.stderr).toContain('bucket "no-such-bucket-here" does not exist');

    const down = await cmd(["remote", "check", "down"], { cwd: dir, env });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("cannot be reached at http://127.0.0.1:9");

    const nokeys = await cmd(["remote", "check", "team"], { cwd: dir, env: s3Env(server, { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }) });
    expect(nokeys.code).toBe(2);
    expect(nokeys.stderr).toContain("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    expect(readFileSync(join(dir, ".scryptorum"), "utf8")).toBe(before);
  });
});

describe("proxy variables", () => {
  test("a loopback endpoint goes direct past a dead HTTP(S)_PROXY; a remote host goes through the proxy unless NO_PROXY names it", async () => {
    // A "proxy" that refuses everything and records what it was asked for.
    const asked: string[] = [];
    const proxy = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        asked.push(req.url);
        return new Response("<Error><Code>AccessDenied</Code></Error>", { status: 403 });
      },
    });
    try {
      const dir = await project();
      const url = `http://127.0.0.1:${proxy.port}`;
      const env = s3Env(server, { HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url, ALL_PROXY: url, NO_PROXY: undefined, no_proxy: undefined });
      await bin(["remote", "add", "team", `s3://${server.bucket}/proxy-${crypto.randomUUID().slice(0, 8)}`, "--endpoint", server.endpoint], { cwd: dir, env });
      await bin(["remote", "add", "far", `s3://${server.bucket}`, "--endpoint", "http://s3.scryptorum.test:7480"], { cwd: dir, env });
      writeFileSync(join(dir, "w.ts"), 'import { getCurrentRun } from "scryptorum";\ngetCurrentRun().logMetric("acc", 1);\n');
      expect((await bin(["run", "demo", "-s", "w.ts", "--milestone", "--run-id", "v1"], { cwd: dir, env })).code).toBe(0);

      const pushed = await bin(["push", "--remote", "team", "--json"], { cwd: dir, env });
      expect(pushed.stderr).toBe("");
      expect(JSON.parse(pushed.stdout)).toMatchObject({ pushed: 1 });
      expect(asked).toEqual([]);

      // The same variables do reach the binary: a non-loopback endpoint is sent to the proxy…
      const far = await bin(["push", "--remote", "far"], { cwd: dir, env });
      expect(far.code).toBe(1);
      expect(far.stderr).toContain("denied");
      expect(asked.length).toBeGreaterThan(0);
      expect(asked.every((u) => u.startsWith("http://s3.scryptorum.test:7480/"))).toBe(true);
      // …and goes direct when NO_PROXY names it (the host does not exist: unreachable, not denied).
      asked.length = 0;
      const direct = await bin(["push", "--remote", "far"], { cwd: dir, env: { ...env, NO_PROXY: ".scryptorum.test" } });
      expect(direct.code).toBe(1);
      expect(direct.stderr).toContain("cannot be reached at http://s3.scryptorum.test:7480");
      expect(asked).toEqual([]);
    } finally {
      proxy.stop(true);
    }
  }, 60_000);
});
