/**
 * A set of case ids held as 53-bit hashes in one Float64Array: 8 bytes a case, where a Set
 * of a million id strings holds tens of megabytes in small objects (and the garbage
 * collector's pages around them). Used to find duplicate ids in a streamed dataset and to
 * tell its cases' records from others in the run.
 */

/** Two 32-bit FNV-style hashes of the UTF-16 units (different primes), as one 53-bit number. */
export function idHash(id: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/**
 * @example
 * const s = new IdSet(); s.add("q1"); s.add("q2"); s.seal(); // [] (no hash seen twice)
 * s.has("q1"); // true
 */
export class IdSet {
  private hashes = new Float64Array(1024);
  private n = 0;
  private sealed = false;

  get size(): number {
    return this.n;
  }

  add(id: string): void {
    if (this.n === this.hashes.length) {
      const grown = new Float64Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[this.n++] = idHash(id);
  }

  /**
   * Done adding: sorts, and returns the hashes seen more than once (two equal ids, or, about
   * once in 10^15 pairs, two ids with one hash: the caller tells which).
   */
  seal(): number[] {
    this.hashes = this.hashes.slice(0, this.n).sort();
    this.sealed = true;
    const twice: number[] = [];
    for (let i = 1; i < this.n; i++) if (this.hashes[i] === this.hashes[i - 1] && twice.at(-1) !== this.hashes[i]) twice.push(this.hashes[i]!);
    return twice;
  }

  /** Whether `id` was added (after `seal`; a hash collision answers yes). */
  has(id: string): boolean {
    if (!this.sealed) throw new Error("IdSet.has before seal");
    const h = idHash(id);
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.hashes[mid]!;
      if (v === h) return true;
      if (v < h) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}
