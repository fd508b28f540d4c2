/**
 * The content-addressed store that keeps milestones cheap: each distinct file content is
 * written once to `<projectRoot>/.store/<sha[0:2]>/<sha>` and hard-linked into every
 * snapshot holding it, so twenty milestones of an unchanged tree cost one copy.
 *
 * Store files are read-only (0444) because every snapshot shares their inode: a write
 * through one snapshot would silently change all the others.
 */
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, closeSync, copyFileSync, linkSync, mkdirSync, openSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "pathe";

/** Hard-link errors that mean "this filesystem or file cannot be linked, copy instead". */
const LINK_UNSUPPORTED = new Set(["EXDEV", "EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EACCES"]);

export interface ContentStore {
  /** Stores `content` (if not stored yet) and places a read-only copy of it at `dest`. */
  place(content: Buffer, dest: string): { sha256: string };
  /**
   * Stores `content` whose sha256 the caller has already checked (a pulled blob), without
   * hashing it again, and returns the store file's path. The caller has found it not
   * stored yet (a pull looks before it downloads); a copy stored meanwhile is replaced by
   * the same bytes.
   */
  add(content: Uint8Array, sha256: string): Promise<string>;
  /**
   * Stores the file at `src` (copied, then hashed, a chunk at a time: a large dataset is
   * never held in memory) and places a read-only copy of it at `dest`.
   */
  placeFile(src: string, dest: string): { sha256: string; size: number };
}

/**
 * Opens (lazily creates) the store under `root`.
 *
 * @example
 * const store = openStore("/proj/.store");
 * store.place(readFileSync("src/a.ts"), "/proj/.../code_snapshot/src/a.ts");
 */
export function openStore(root: string): ContentStore {
  const madeDirs = new Set<string>();
  let canLink = true;

  const ensureDir = (dir: string) => {
    if (madeDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    madeDirs.add(dir);
  };

  const put = (content: Buffer, sha: string): string => {
    const target = join(root, sha.slice(0, 2), sha);
    try {
      // The size check catches a store file truncated by a crash mid-write on another system.
      if (statSync(target).size === content.length) return target;
    } catch {
      // not stored yet
    }
    ensureDir(dirname(target));
    // Write then rename, so a concurrent milestone never links a half-written file.
    // 0444 is filtered by the umask like any mode: under umask 077 files are 0400, still read-only.
    const temp = tempFor(target);
    writeFileSync(temp, content, { mode: 0o444, flag: "wx" });
    return publish(temp, target);
  };

  // A stored file at `dest`: a hard link, else (another filesystem) a copy.
  const link = (stored: string, dest: string) => {
    ensureDir(dirname(dest));
    if (canLink) {
      try {
        linkSync(stored, dest);
        return;
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code ?? "";
        if (code !== "EMLINK" && !LINK_UNSUPPORTED.has(code)) throw cause;
        if (code !== "EMLINK") canLink = false;
      }
    }
    copyFileSync(stored, dest);
  };

  return {
    placeFile(src, dest) {
      try {
        ensureDir(root);
        // Copy first, hash the copy: what is stored is what was hashed, even if `src` changes meanwhile.
        const temp = join(root, `in.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
        copyFileSync(src, temp);
        let sha256: string;
        let size: number;
        try {
          ({ sha256, size } = hashFile(temp));
          const target = join(root, sha256.slice(0, 2), sha256);
          if (statSync(target, { throwIfNoEntry: false })?.size === size) unlinkSync(temp);
          else {
            ensureDir(dirname(target));
            chmodSync(temp, 0o444);
            renameSync(temp, target);
          }
        } catch (cause) {
          try {
            unlinkSync(temp);
          } catch {}
          throw cause;
        }
        link(join(root, sha256.slice(0, 2), sha256), dest);
        return { sha256, size };
      } catch (cause) {
        throw new Error(`Failed to snapshot ${dest}: ${(cause as Error).message}`, { cause });
      }
    },
    place(content, dest) {
      const sha256 = createHash("sha256").update(content).digest("hex");
      try {
        const stored = put(content, sha256);
        ensureDir(dirname(dest));
        if (canLink) {
          try {
            linkSync(stored, dest);
            return { sha256 };
          } catch (cause) {
            const code = (cause as NodeJS.ErrnoException).code ?? "";
            // EMLINK is one inode at the link limit (a very common file): copy just this one.
            if (code !== "EMLINK" && !LINK_UNSUPPORTED.has(code)) throw cause;
            if (code !== "EMLINK") canLink = false;
          }
        }
        copyFileSync(stored, dest); // copies the store file's read-only mode too
      } catch (cause) {
        throw new Error(`Failed to snapshot ${dest}: ${(cause as Error).message}`, { cause });
      }
      return { sha256 };
    },
    // As put, the folder and the write off the main thread (a pull stores many blobs while downloading).
    async add(content, sha) {
      const target = join(root, sha.slice(0, 2), sha);
      const dir = dirname(target);
      if (!madeDirs.has(dir)) {
        await mkdir(dir, { recursive: true });
        madeDirs.add(dir);
      }
      const temp = tempFor(target);
      await writeFile(temp, content, { mode: 0o444, flag: "wx" });
      return publish(temp, target);
    },
  };
}

/** A temp name beside `target`, unique to this process and call. */
const tempFor = (target: string) => `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;

/** Moves a fully written `temp` onto `target` (a reader never sees it half-written); the temp goes on failure. */
function publish(temp: string, target: string): string {
  try {
    renameSync(temp, target);
  } catch (cause) {
    unlinkSync(temp);
    throw cause;
  }
  return target;
}

/** sha256 and size of a file, read a chunk at a time. */
function hashFile(file: string): { sha256: string; size: number } {
  const hash = createHash("sha256");
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, "r");
  let size = 0;
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; size += n) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest("hex"), size };
}
