/**
 * A real S3 server for the tests and the bench: a single-node Ceph cluster (one monitor,
 * one memstore OSD, auth off) with radosgw on 127.0.0.1, everything (conf, data, logs,
 * sockets, pid files) in one temp folder; a user with fresh keys and one bucket. Started in
 * about 3 s; `stop()` ends the daemons by pid and removes the folder.
 *
 * `bun scripts/s3-server.ts` starts one and prints its settings as JSON, then waits for
 * SIGTERM/SIGINT.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsClient } from "aws4fetch";

export interface S3Server {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  dir: string;
  pids: number[];
}

async function freePort(): Promise<number> {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}

function run(cmd: string, args: string[], dir: string): string {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const exited = new Map<number, string>();

/** Starts a daemon in the foreground (-f), its stdout/stderr in log/<name>.out. */
function daemon(cmd: string, args: string[], dir: string, name: string): number {
  const out = openSync(join(dir, "log", `${name}.out`), "a");
  const child = spawn(cmd, args, { cwd: dir, stdio: ["ignore", out, out], detached: false });
  child.unref();
  child.on("exit", (code, signal) => exited.set(child.pid!, `${cmd} exited (${signal ?? code})`));
  return child.pid!;
}

/** What a failed start should say: which daemon died and the end of its output and log. */
function diagnose(server: S3Server): string {
  const lines: string[] = [];
  for (const pid of server.pids) if (exited.has(pid)) lines.push(exited.get(pid)!);
  for (const name of ["mon.out", "osd.out", "rgw.out"]) {
    const file = join(server.dir, "log", name);
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8").trim().split("\n").filter((l) => !l.includes("rocksdb")).slice(-5).join("\n");
    if (text) lines.push(`${name}:\n${text}`);
  }
  return lines.length ? `\n${lines.join("\n")}` : "";
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startS3Server(): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), "scryptorum-ceph-"));
  for (const d of ["run", "log", "mon", "osd"]) mkdirSync(join(dir, d), { recursive: true });
  const monPort = await freePort();
  const rgwPort = await freePort();
  const fsid = crypto.randomUUID();
  const conf = join(dir, "ceph.conf");
  writeFileSync(conf, `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${monPort}
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
osd objectstore = memstore
memstore device bytes = 2147483648
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
# A CI disk can be 95% full: the monitor refuses to start below 5% free by default, and
# memstore keeps the OSD's data in memory anyway.
mon data avail crit = 0
mon data avail warn = 0
paxos propose interval = 0.1
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
pid file = ${dir}/run/$name.pid
log file = ${dir}/log/$name.log
keyring = /dev/null
mon data = ${dir}/mon/$name
osd data = ${dir}/osd/$name
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw data = ${dir}/rgw
rgw dns name = 127.0.0.1
`);
  const c = ["-c", conf];
  const pids: number[] = [];
  const server: S3Server = { endpoint: `http://127.0.0.1:${rgwPort}`, accessKeyId: "", secretAccessKey: "", bucket: "scryptorum-test", dir, pids };
  try {
    run("monmaptool", ["--create", "--addv", "a", `[v2:127.0.0.1:${monPort}]`, "--fsid", fsid, join(dir, "monmap")], dir);
    run("ceph-mon", [...c, "--mkfs", "-i", "a", "--monmap", join(dir, "monmap")], dir);
    const mon = daemon("ceph-mon", [...c, "-i", "a", "-f"], dir, "mon");
    pids.push(mon);
    // The monitor is up once its admin socket exists; one that refuses to start exits at once.
    for (const until = Date.now() + 15_000; !existsSync(join(dir, "run", "mon.a.asok")); await sleep(50)) {
      if (exited.has(mon) || Date.now() > until) throw new Error("ceph-mon did not start");
    }
    const osdId = run("ceph", [...c, "--connect-timeout", "15", "osd", "create"], dir).trim();
    mkdirSync(join(dir, "osd", `osd.${osdId}`), { recursive: true });
    run("ceph-osd", [...c, "-i", osdId, "--mkfs"], dir);
    pids.push(daemon("ceph-osd", [...c, "-i", osdId, "-f"], dir, "osd"));
    pids.push(daemon("radosgw", [...c, "-n", "client.rgw", "-f"], dir, "rgw"));
    server.accessKeyId = "AK" + crypto.randomUUID().replace(/-/g, "").slice(0, 18).toUpperCase();
    server.secretAccessKey = crypto.randomUUID().replace(/-/g, "") + crypto.randomUUID().replace(/-/g, "").slice(0, 8);
    const aws = new AwsClient({ accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, service: "s3", region: "us-east-1" });
    // radosgw-admin needs the pools radosgw creates: retry until the user exists.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = spawnSync("radosgw-admin", [...c, "-n", "client.rgw", "user", "create", "--uid=test", "--display-name=test", `--access-key=${server.accessKeyId}`, `--secret=${server.secretAccessKey}`], { encoding: "utf8", timeout: 20_000 });
      // A try that timed out on a loaded machine may still have made the user (same keys).
      if (r.status === 0 || /user: test exists/.test(r.stderr ?? "")) break;
      if (Date.now() > deadline) throw new Error(`radosgw-admin user create: ${r.stderr}`);
      await sleep(200);
    }
    for (;;) {
      try {
        const res = await aws.fetch(`${server.endpoint}/${server.bucket}`, { method: "PUT" });
        await res.body?.cancel();
        if (res.ok || res.status === 409) break;
      } catch {}
      if (Date.now() > deadline) throw new Error(`radosgw at ${server.endpoint} did not answer: see ${dir}/log`);
      await sleep(100);
    }
    return server;
  } catch (error) {
    stopS3Server(server, false);
    const why = diagnose(server);
    if (why && error instanceof Error) error.message += why;
    throw error;
  }
}

/** Ends the daemons by pid (TERM, then KILL) and removes the folder unless asked to keep it. */
export function stopS3Server(server: S3Server, remove = true): void {
  for (const pid of server.pids.reverse()) {
    try { process.kill(pid, "SIGKILL"); } catch {}
  }
  if (remove) rmSync(server.dir, { recursive: true, force: true });
}

if (import.meta.main) {
  const server = await startS3Server();
  console.log(JSON.stringify(server));
  const stop = () => { stopS3Server(server); process.exit(0); };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  setInterval(() => {}, 1 << 30);
}
