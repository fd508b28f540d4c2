/**
 * `bun scripts/setup-s3.ts`
 *
 * Makes sure Debian's Ceph daemons (ceph-mon, ceph-osd, radosgw) are installed for the
 * team-bucket tests (test/remote), which run against a real S3 server (radosgw): a no-op
 * when they are there, else `apt-get install -y ceph-mon ceph-osd radosgw` (as root or
 * with passwordless sudo). Exits 1 when they cannot be had: those tests need them.
 */
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

export const CEPH_BINARIES = ["/usr/bin/ceph-mon", "/usr/bin/ceph-osd", "/usr/bin/radosgw", "/usr/bin/radosgw-admin", "/usr/bin/monmaptool"];

function sh(cmd: string[]): boolean {
  process.stderr.write(`$ ${cmd.join(" ")}\n`);
  const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  return r.status === 0;
}

export function setupS3(): boolean {
  if (CEPH_BINARIES.every((b) => existsSync(b))) return true;
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const prefix = root ? [] : ["sudo", "-n"];
  const install = () => sh([...prefix, "apt-get", "install", "-y", "ceph-mon", "ceph-osd", "radosgw"]);
  if (!install()) sh([...prefix, "apt-get", "update"]) && install();
  return CEPH_BINARIES.every((b) => existsSync(b));
}

if (import.meta.main && !setupS3()) {
  process.stderr.write("could not install ceph-mon ceph-osd radosgw with apt-get: install them by hand\n");
  process.exit(1);
}
