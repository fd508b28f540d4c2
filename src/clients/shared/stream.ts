/**
 * Watching a stream without touching what the caller gets: the same chunk objects, in
 * the same order, with `tee()`, `toReadableStream()` and `controller` still working.
 */
import { report } from "./recorder";

export type StreamEnd = "done" | "aborted" | "error";

export interface StreamObserver {
  chunk(value: unknown): void;
  end(how: StreamEnd, error?: unknown): void;
}

/**
 * Watches an SDK stream (openai's and Anthropic's `Stream`) and returns the same object.
 * Their `[Symbol.asyncIterator]()`, `tee()` and `toReadableStream()` all read
 * `this.iterator()`, so replacing that one field on this stream (a fresh object per call)
 * covers every way of reading it. A Proxy could not: `tee()` reads a private field, which
 * throws on a Proxy. Streams without that field get an own `[Symbol.asyncIterator]`.
 */
export function observeStream<S extends object>(stream: S, observer: StreamObserver): S {
  const s = stream as S & { iterator?: (...a: unknown[]) => AsyncIterator<unknown> };
  if (typeof s.iterator === "function") {
    const inner = s.iterator;
    s.iterator = function (this: unknown, ...args: unknown[]) {
      return observeIterator(inner.apply(this, args), observer);
    };
    return stream;
  }
  const iterate = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator];
  Object.defineProperty(stream, Symbol.asyncIterator, {
    configurable: true,
    writable: true,
    value(this: unknown) {
      return observeIterator(iterate.call(this), observer);
    },
  });
  return stream;
}

/**
 * An iterator that passes every result through and tells the observer: each chunk, then
 * once how it ended (the source finished, the caller stopped early, or an error).
 */
export function observeIterator<T>(source: AsyncIterator<T>, observer: StreamObserver): AsyncIterableIterator<T> {
  let ended = false;
  const end = (how: StreamEnd, error?: unknown) => {
    if (ended) return;
    ended = true;
    try {
      observer.end(how, error);
    } catch (e) {
      report("log a stream", e);
    }
  };
  const onResult = (result: IteratorResult<T>) => {
    if (result.done) end("done");
    else {
      try {
        observer.chunk(result.value);
      } catch (e) {
        report("read a stream chunk", e);
      }
    }
  };
  const onError = (error: unknown) => end("error", error);
  return {
    // The caller awaits the source's own promise; the observer reads it on the side (its
    // reaction is registered first, so it runs before the caller's): no extra hop per chunk.
    next(...args: [] | [unknown]) {
      let pending: Promise<IteratorResult<T>>;
      try {
        pending = source.next(...args);
      } catch (error) {
        onError(error);
        throw error;
      }
      pending.then(onResult, onError);
      return pending;
    },
    async return(value?: unknown) {
      end("aborted");
      return source.return ? source.return(value) : { done: true, value: value as T };
    },
    async throw(error?: unknown) {
      end("error", error);
      if (source.throw) return source.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * A cached stream played back: iterable as often as wanted, with the SDK stream's
 * `tee()`, `toReadableStream()` and `controller`.
 */
export class ReplayStream<T = unknown> implements AsyncIterable<T> {
  readonly controller = new AbortController();
  constructor(private readonly chunks: readonly T[]) {}

  iterator(): AsyncIterator<T> {
    const chunks = this.chunks;
    const signal = this.controller.signal;
    let i = 0;
    return {
      async next() {
        if (signal.aborted || i >= chunks.length) return { done: true, value: undefined };
        return { done: false, value: chunks[i++]! };
      },
      async return() {
        i = chunks.length;
        return { done: true, value: undefined };
      },
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.iterator();
  }

  tee(): [ReplayStream<T>, ReplayStream<T>] {
    return [new ReplayStream(this.chunks), new ReplayStream(this.chunks)];
  }

  /** Newline-separated JSON, as the SDKs' `toReadableStream()` gives it. */
  toReadableStream(): ReadableStream<Uint8Array> {
    const encoder = new TextEncoder();
    const iter = this.iterator();
    return new ReadableStream({
      async pull(ctrl) {
        const { value, done } = await iter.next();
        if (done) ctrl.close();
        else ctrl.enqueue(encoder.encode(JSON.stringify(value) + "\n"));
      },
    });
  }
}

/**
 * Watches a ReadableStream (a Vercel AI SDK model stream): a new stream that hands on
 * every part as read, and tells the observer how it ended (cancel = aborted).
 */
export function observeReadable<T>(source: ReadableStream<T>, observer: StreamObserver): ReadableStream<T> {
  const reader = source.getReader();
  const it = observeIterator<T>(
    {
      next: () => reader.read() as Promise<IteratorResult<T>>,
      return: async (value?: unknown) => {
        await reader.cancel(value);
        return { done: true, value: undefined as T };
      },
    },
    observer,
  );
  return new ReadableStream<T>({
    async pull(controller) {
      let result: IteratorResult<T>;
      try {
        result = await it.next();
      } catch (error) {
        controller.error(error);
        return;
      }
      if (result.done) controller.close();
      else controller.enqueue(result.value);
    },
    async cancel(reason) {
      await it.return!(reason);
    },
  });
}
