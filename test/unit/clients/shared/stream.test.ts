/** Watching streams: the caller gets the very same chunk objects, in order; the end is told once. */
import { describe, expect, test } from "bun:test";
import { observeIterator, observeReadable, observeStream, ReplayStream, type StreamEnd } from "../../../../src/clients/shared/stream";
import { collect } from "../../../clients/helpers";

const chunks = [{ n: 1 }, { n: 2 }, { n: 3 }];

function watcher() {
  const seen: unknown[] = [];
  const ends: [StreamEnd, unknown][] = [];
  return { seen, ends, observer: { chunk: (c: unknown) => seen.push(c), end: (how: StreamEnd, e?: unknown) => ends.push([how, e]) } };
}

async function* source(fail?: Error) {
  for (const c of chunks) yield c;
  if (fail) throw fail;
}

describe("observeIterator", () => {
  test("passes the same objects through, then tells 'done' once", async () => {
    const w = watcher();
    const out = await collect(observeIterator(source(), w.observer));
    expect(out.length).toBe(3);
    out.forEach((c, i) => expect(c).toBe(chunks[i]!));
    w.seen.forEach((c, i) => expect(c).toBe(chunks[i]!));
    expect(w.ends).toEqual([["done", undefined]]);
  });

  test("a break tells 'aborted' and closes the source", async () => {
    const w = watcher();
    let closed = false;
    const src = (async function* () {
      try {
        yield* chunks;
      } finally {
        closed = true;
      }
    })();
    for await (const _ of observeIterator(src, w.observer)) break;
    expect(w.ends).toEqual([["aborted", undefined]]);
    expect(closed).toBe(true);
  });

  test("an error is told and rethrown", async () => {
    const w = watcher();
    const boom = new Error("boom");
    await expect(collect(observeIterator(source(boom), w.observer))).rejects.toBe(boom);
    expect(w.ends).toEqual([["error", boom]]);
    expect(w.seen).toHaveLength(3);
  });

  test("an observer that throws never reaches the caller", async () => {
    const out = await collect(observeIterator(source(), { chunk: () => { throw new Error("x"); }, end: () => { throw new Error("y"); } }));
    expect(out).toEqual(chunks);
  });
});

test("observeStream replaces the iterator of an SDK-like stream and keeps the object", async () => {
  class SdkStream {
    controller = new AbortController();
    constructor(private iterator: () => AsyncIterator<unknown>) {}
    [Symbol.asyncIterator]() {
      return this.iterator();
    }
  }
  const stream = new SdkStream(() => source());
  const w = watcher();
  expect(observeStream(stream, w.observer)).toBe(stream);
  expect(await collect(stream)).toEqual(chunks);
  expect(w.ends).toEqual([["done", undefined]]);
  // A plain async iterable gets an own iterator.
  const plain = { [Symbol.asyncIterator]: () => source() };
  const w2 = watcher();
  expect(await collect(observeStream(plain, w2.observer))).toEqual(chunks);
  expect(w2.seen).toHaveLength(3);
});

test("observeReadable hands on every part; cancel is 'aborted'", async () => {
  const make = () => new ReadableStream({ start(c) { for (const x of chunks) c.enqueue(x); c.close(); } });
  const w = watcher();
  const parts = await collect(observeReadable(make(), w.observer) as unknown as AsyncIterable<unknown>);
  parts.forEach((p, i) => expect(p).toBe(chunks[i]!));
  expect(w.ends).toEqual([["done", undefined]]);
  const w2 = watcher();
  const reader = observeReadable(make(), w2.observer).getReader();
  await reader.read();
  await reader.cancel("enough");
  expect(w2.ends).toEqual([["aborted", undefined]]);
});

test("ReplayStream plays back, tees and converts", async () => {
  const replay = new ReplayStream(chunks);
  expect(await collect(replay)).toEqual(chunks);
  expect(await collect(replay)).toEqual(chunks);
  const [a, b] = replay.tee();
  expect([await collect(a), await collect(b)]).toEqual([chunks, chunks]);
  expect((await new Response(replay.toReadableStream()).text()).trim().split("\n").map((l) => JSON.parse(l))).toEqual(chunks);
  replay.controller.abort();
  expect(await collect(replay)).toEqual([]);
});
