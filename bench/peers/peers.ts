/**
 * Each tracker set up in a mode where it really records, nothing leaving the machine:
 *   scryptorum  timer()(fn) and run.logLlmCall inside a trial run, JSONL files in a temp dir
 *   weave       weave.op with weave's own InMemoryTraceServer (its SDK test double)
 *   braintrust  wrapTraced / experiment.log with the SDK's TestBackgroundLogger
 *   langfuse    observe / startObservation, OTLP/HTTP export to a sink on 127.0.0.1
 * Every peer's export work (flush, drain, batch upload) is charged to the round that made it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const PEERS_DIR = import.meta.dir;
const require = createRequire(join(PEERS_DIR, "package.json"));

/** The 1 KB LLM call every tracker logs: a 480-char prompt, a 480-char answer, usage, model. */
export const LLM = {
  model: "gpt-4o-mini",
  input: "q".repeat(480),
  output: "a".repeat(480),
  usage: { prompt_tokens: 120, completion_tokens: 120, total_tokens: 240 },
};

type Fn = (x: number) => number;
type AsyncFn = (x: number) => Promise<number>;

export interface Tracker {
  name: string;
  version: string;
  /** How it records here. */
  mode: string;
  wrapSync(fn: Fn): (x: number) => unknown;
  /** False when the wrapper turns a sync function into one returning a Promise. */
  syncStaysSync: boolean;
  wrapAsync(fn: AsyncFn): (x: number) => Promise<unknown>;
  /** Logs one 1 KB LLM call; `llmAsync` says whether it returns a Promise. */
  llm: (i: number) => unknown;
  llmAsync: boolean;
  llmNote: string;
  flush(): unknown;
  after?(): unknown;
  /** Records the tracker stored or exported so far (spans, calls, lines). */
  recorded(): Promise<number>;
  close(): Promise<void>;
}

export function versionOf(pkg: string): string {
  return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), "utf8")).version;
}

// ---- scryptorum ---------------------------------------------------------------------

export async function scryptorum(): Promise<Tracker & { inRun<T>(fn: () => T): T }> {
  const { Experiment, Project, timer, version } = await import("../../src/index.ts");
  const { withRun } = await import("../../src/tracking/context.ts");
  const dir = mkdtempSync(join(tmpdir(), "scry-peers-"));
  const project = Project.init(dir, { name: "peers", gitignore: false });
  const run = new Experiment(project, "peers").createRun();
  const lines = (file: string, needle?: string) => readFileSync(file, "utf8").split("\n").filter((l) => l && (!needle || l.includes(needle))).length;
  return {
    name: "scryptorum",
    version,
    mode: "timer()(fn) inside a trial run (withRun), JSONL files in a temp dir; LLM call: run.logLlmCall",
    wrapSync: (fn) => timer("work")(fn),
    syncStaysSync: true,
    wrapAsync: (fn) => timer("awork")(fn),
    llm: (i) => run.logLlmCall({ model: LLM.model, input: LLM.input, output: LLM.output, durationMs: i, usage: LLM.usage }),
    llmAsync: false,
    llmNote: "run.logLlmCall",
    flush: () => run.flush(),
    recorded: async () => {
      run.flush();
      return lines(run.timingsFile) + lines(run.logFile, '"llm_call"');
    },
    close: async () => {
      run.finish();
      rmSync(dir, { recursive: true, force: true });
    },
    inRun: (fn) => withRun(run, fn),
  };
}

// ---- weave --------------------------------------------------------------------------

export async function weave(): Promise<Tracker> {
  // weave is CommonJS; its in-memory server and client class are not in its exports map,
  // so they are loaded by file, which is the same module instance `weave` itself uses.
  const dist = dirname(require.resolve("weave"));
  const w = require("weave");
  const { WeaveClient } = require(join(dist, "weaveClient.js"));
  const { InMemoryTraceServer } = require(join(dist, "inMemoryTraceServer.js"));
  const { setGlobalClient } = require(join(dist, "clientApi.js"));
  const { Settings } = require(join(dist, "settings.js"));
  const server = new InMemoryTraceServer();
  // The double finds a call's end record by a linear scan of every call it holds and stamps
  // a change time for its own test waits: about a third of weave's time in a profile. The
  // same upsert with the lookup indexed, so weave is charged for its SDK, not for the double.
  const byId = new Map<string, object>();
  server.call.callStartBatchCallUpsertBatchPost = async (batchReq: { batch: { mode: string; req: { start?: { id: string }; end?: { id: string } } }[] }) => {
    for (const item of batchReq.batch) {
      if (item.mode === "start") {
        server._calls.push(item.req.start);
        byId.set(item.req.start!.id, item.req.start!);
      } else if (item.mode === "end") {
        const call = byId.get(item.req.end!.id);
        if (call) Object.assign(call, item.req.end);
      }
    }
  };
  // What weave.init builds, with the in-memory server in place of the HTTP one.
  const client = new WeaveClient(server, null, "bench/peers", new Settings(false));
  setGlobalClient(client);
  let stored = 0;
  const response = {
    id: "chatcmpl-bench",
    object: "chat.completion",
    model: LLM.model,
    choices: [{ index: 0, message: { role: "assistant", content: LLM.output }, finish_reason: "stop" }],
    usage: LLM.usage,
  };
  // weave has no standalone "log a call": an op returning the OpenAI response, with the
  // summarizer its OpenAI integration uses, is how it records an LLM call.
  const llmOp = w.op(async function chat_completions_create(prompt: string) {
    return prompt.length > 0 ? response : response;
  }, { name: "openai.chat.completions.create", summarize: (r: typeof response) => ({ usage: { [r.model]: r.usage } }) });
  return {
    name: "weave",
    version: versionOf("weave"),
    mode: "weave.op, weave's InMemoryTraceServer, end lookup indexed",
    wrapSync: (fn) => w.op(fn, { name: "work" }),
    syncStaysSync: false,
    wrapAsync: (fn) => w.op(fn, { name: "awork" }),
    llm: () => llmOp(LLM.input),
    llmAsync: true,
    llmNote: "weave.op returning an OpenAI-shaped response (what wrapOpenAI records)",
    // The batch upload, started now instead of after weave's 200 ms debounce timer.
    flush: async () => {
      for (;;) {
        if (client.isBatchProcessing) await new Promise((r) => setImmediate(r));
        else if (client.callQueue.length > 0) await client.processBatch();
        else break;
      }
    },
    // Untimed: the round's calls leave the in-memory store (counted first).
    after: () => {
      stored += server._calls.length;
      server._calls.length = 0;
      byId.clear();
    },
    recorded: async () => stored + server._calls.length,
    close: async () => {},
  };
}

// ---- braintrust ---------------------------------------------------------------------

export async function braintrust(): Promise<Tracker> {
  const bt = await import("braintrust");
  const t = bt._exportsForTestingOnly;
  t.setInitialTestState();
  await t.simulateLoginForTests(); // the SDK's fake key: no login request is made
  const bg = t.useTestBackgroundLogger();
  const experiment = t.initTestExperiment("peers", "scryptorum-bench");
  // What init({ setCurrent: true }) does, so wrapTraced finds its parent.
  (bt._internalGetGlobalState() as unknown as { currentExperiment: unknown }).currentExperiment = experiment;
  const llmExperiment = t.initTestExperiment("peers-llm", "scryptorum-bench");
  let drained = 0;
  return {
    name: "braintrust",
    version: versionOf("braintrust"),
    mode: "test experiment, the SDK's TestBackgroundLogger",
    // asyncFlush keeps a sync function sync; without it wrapTraced returns a Promise.
    wrapSync: (fn) => bt.wrapTraced(fn, { name: "work", asyncFlush: true }),
    syncStaysSync: true,
    wrapAsync: (fn) => bt.wrapTraced(fn, { name: "awork" }),
    // What its OpenAI wrapper does for one completion: an "llm" span, one log, end.
    llm: () => {
      const span = llmExperiment.startSpan({ name: "Chat Completion", type: "llm" });
      span.log({
        input: LLM.input,
        output: LLM.output,
        metadata: { model: LLM.model },
        metrics: { prompt_tokens: 120, completion_tokens: 120, tokens: 240 },
      });
      span.end();
    },
    llmAsync: false,
    llmNote: 'startSpan({ type: "llm" }), span.log({ input, output, metadata, metrics }), end()',
    // drain() builds the rows the HTTP logger would upload (lazy events resolved, merged).
    flush: async () => {
      drained += (await bg.drain()).length;
    },
    recorded: async () => drained,
    close: async () => {},
  };
}

// ---- langfuse -----------------------------------------------------------------------

export async function langfuse(): Promise<Tracker> {
  const child = spawn(process.execPath, [join(PEERS_DIR, "sink.ts")], { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the OTLP sink exited (${code})`)));
    child.stdout!.once("data", (d: Buffer) => resolve(Number(String(d).trim().split("\n")[0])));
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  process.env.LANGFUSE_BASE_URL = baseUrl;
  const { LangfuseSpanProcessor } = await import("@langfuse/otel");
  const { NodeTracerProvider } = await import("@opentelemetry/sdk-trace-node");
  const { observe, startObservation } = await import("@langfuse/tracing");
  const processor = new LangfuseSpanProcessor({ baseUrl, publicKey: "pk-lf-bench", secretKey: "sk-lf-bench", exportMode: "batched" });
  const provider = new NodeTracerProvider({ spanProcessors: [processor] });
  provider.register(); // the global tracer provider and the AsyncLocalStorage context manager
  const count = async () => ((await (await fetch(`${baseUrl}/__count`)).json()) as { spans: number }).spans;
  return {
    name: "langfuse",
    version: versionOf("@langfuse/tracing"),
    mode: "observe, OTLP/HTTP export (default batched span processor) to a sink process on 127.0.0.1",
    wrapSync: (fn) => observe(fn, { name: "work" }),
    syncStaysSync: true,
    wrapAsync: (fn) => observe(fn, { name: "awork" }),
    llm: () =>
      startObservation(
        "llm_call",
        { model: LLM.model, input: LLM.input, output: LLM.output, usageDetails: { input: 120, output: 120, total: 240 } },
        { asType: "generation" },
      ).end(),
    llmAsync: false,
    llmNote: 'startObservation(…, { asType: "generation" }).end()',
    flush: () => processor.forceFlush(),
    recorded: count,
    close: async () => {
      await provider.shutdown();
      child.stdin!.end();
    },
  };
}
