/**
 * Every code sample of README.md, run (issue 15). The samples are read from the README
 * itself, so an edited sample is the one tested and a new one fails here until it is run or
 * listed below as not runnable, with the reason:
 *
 * - TypeScript (```ts): each is saved where the README says (or under a name of its own) in
 *   a project made by `init`, and run by `scryptorum run` through the binary and through
 *   the npm package's Node command (`node dist/cli.mjs`).
 * - Shell (```sh): every `scryptorum` command, in README order, in one shell, in a project
 *   where the earlier samples were run (the TypeScript sample `src/experiments/sentiment.ts`
 *   included), through the binary.
 * - CI (```yaml): the `run:` lines of each workflow, in a fresh `git clone` of a repository
 *   where `scryptorum init` was run and committed (so `.scryptorum` is there and the
 *   git-ignored project root is not).
 * - SQL (```sql): the DuckDB queries, run by test/remote/duckdb.test.ts over pulled runs
 *   (it needs the suite's S3 server); here each must carry a label that test knows.
 *
 * Model calls go to the fake OpenAI/Anthropic servers on loopback (OPENAI_BASE_URL,
 * ANTHROPIC_BASE_URL), OTLP exports to a loopback receiver; `node_modules` is the
 * repository's (the SDKs the samples import are its devDependencies), linked in.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { bin, ensureBinary, REPO, spawn, tempDir, type Result } from "../helpers/cli";
import { startFakeProviders, type FakeProviders } from "../clients/fake-providers";
import { startReceiver, type Receiver } from "../helpers/otlp-receiver";

interface Block {
  lang: string;
  text: string;
  /** The README line of the opening fence. */
  line: number;
}

/** The fenced blocks of a Markdown text (also indented ones, in list items). */
function fencedBlocks(markdown: string): Block[] {
  const out: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^ *```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(indent));
    out.push({ lang: open[2]!, text: body.join("\n"), line: i + 1 });
    i = j;
  }
  return out;
}

const README = readFileSync(join(REPO, "README.md"), "utf8");
const BLOCKS = fencedBlocks(README);
const CLI_MJS = join(REPO, "dist", "cli.mjs");

/** How each TypeScript sample runs: found by a line it holds. */
const TS_SAMPLES: { marker: string; file: string; experiment: string; args: string[]; check?: (summary: any, root: string) => void }[] = [
  {
    marker: 'new Experiment(".", "manual_experiment")',
    file: "first-use.ts",
    experiment: "first-use",
    args: ["-s", "first-use.ts"],
    check: (_s, root) => expect(readJson(join(root, "experiments/manual_experiment/runs/trial_run/run.json")).status).toBe("finished"),
  },
  {
    marker: "// src/experiments/sentiment.ts",
    file: "src/experiments/sentiment.ts",
    experiment: "sentiment",
    args: ["-m", "src/experiments/sentiment.ts"],
    check: (s) => {
      expect(s.metrics).toEqual({ accuracy: 0.85 });
      const calls = events(s.dir).filter((e) => e.event_type === "llm_call");
      expect(calls.map((c) => [c.model, c.input, c.output?.choices?.[0]?.message?.content])).toEqual([
        ["gpt-4o-mini", "Great product!", "Hello world"],
        ["gpt-4o-mini", "Terrible service", "Hello world"],
      ]);
      expect(calls[0].cost_usd).toBeGreaterThan(0);
    },
  },
  {
    marker: "class Pipeline",
    file: "rag.ts",
    experiment: "rag",
    args: ["-m", "rag.ts"],
    check: (s) => {
      expect(s.metrics).toEqual({ f1: 0.82 });
      expect(lines(join(s.dir, "timings.jsonl")).map((t) => t.operation)).toEqual(["retrieve", "answer"]);
    },
  },
  {
    marker: "extends BaseRunnable",
    file: "src/sentiment.ts",
    experiment: "runnable",
    args: ["-m", "src/sentiment.ts#Sentiment"],
    check: (s) => {
      expect(s.metrics).toEqual({ accuracy: 0.9 });
      expect(events(s.dir).map((e) => e.event_type)).toContain("model_configured");
    },
  },
  {
    marker: "wrapAnthropic(new Anthropic())",
    file: "clients.ts",
    experiment: "clients",
    args: ["-m", "clients.ts"],
    check: (s) => expect(events(s.dir).filter((e) => e.event_type === "llm_call").map((e) => [e.provider, e.model, e.output])).toEqual([["openai", "gpt-4o-mini", "Hello world"]]),
  },
  {
    marker: "scryptorumSpanProcessor()",
    file: "otel.ts",
    experiment: "otel",
    args: ["-m", "otel.ts"],
    check: (s) => expect(events(s.dir).filter((e) => e.event_type === "llm_call").map((e) => e.model)).toContain("gpt-4o-mini"),
  },
  {
    marker: 'experiment("qa")',
    file: "qa.ts",
    experiment: "qa",
    args: ["-m", "qa.ts"],
    check: (s) => {
      expect(s.metrics).toMatchObject({ exact: 0, cites: 0, short: 1 });
      expect(events(s.dir).filter((e) => e.event_type === "case_result")).toHaveLength(2);
    },
  },
  {
    marker: "judge({ client: openai",
    file: "judged.ts",
    experiment: "judged",
    args: ["-m", "judged.ts"],
    // The fake model's reply ("Hello world") holds no {"score": …}: the judge's call is made and logged, the case records a scorer error.
    check: (s) => {
      expect(events(s.dir).filter((e) => e.event_type === "llm_call").map((e) => e.model)).toEqual(["gpt-4o-mini"]);
      expect(events(s.dir).filter((e) => e.event_type === "case_result")).toHaveLength(1);
    },
  },
  {
    marker: "// fetched.ts",
    file: "fetched.ts",
    experiment: "fetched",
    args: ["-m", "fetched.ts"],
    check: (s) => {
      expect(s.metrics).toEqual({ exact: 1 });
      expect(events(s.dir).filter((e) => e.event_type === "llm_call").map((e) => [e.name, e.model, e.output])).toEqual([["ask", "gpt-4o-mini", "Hello world"]]);
    },
  },
  {
    marker: "Project.open()",
    file: "library.ts",
    experiment: "library",
    args: ["-s", "library.ts"],
    check: (_s, root) => {
      const v1 = join(root, "experiments/sentiment/runs/v1");
      expect(readJson(join(v1, "run.json"))).toMatchObject({ status: "finished", tags: ["baseline"], note: "first try" });
      expect(lines(join(v1, "timings.jsonl")).map((t) => t.operation)).toEqual(["retrieval", "load", "rerank"]);
      expect(readFileSync(join(v1, "artifacts/plots/loss.svg"), "utf8")).toBe("<svg/>");
    },
  },
];

/** Files the samples read that the README describes but does not show. */
const QA_PROMPT = "Answer briefly: {{question}}\n";
const QA_DATA = '{"input":{"question":"What is 2+2?"},"expected":"4"}\n{"input":{"question":"Capital of France?"},"expected":"Paris"}\n';
const TS_FIXTURES: Record<string, string> = {
  "experiments/readme/experiments/qa/prompts/ask.md": QA_PROMPT,
  "experiments/readme/experiments/qa/data/questions.jsonl": QA_DATA,
};

/** The ```sql blocks' labels (`-- <label>: …` first lines), run by test/remote/duckdb.test.ts. */
const SQL_RUN_ELSEWHERE = ["runs", "cases", "cost", "bucket"];

/** Shell commands not run, each with the reason (matched exactly, comments stripped). */
const NOT_RUN: Record<string, string> = {
  "npm install && npm run demo": "builds from source; the demo is scripts/demo.ts, and this suite is what npm test runs",
  "npm install && npm test": "the test suite itself",
  "npm install -D scryptorum": "installs from the registry; test/release/npm.test.ts installs the packed package offline",
  "curl -fsSL https://github.com/scryptorum/scryptorum/releases/latest/download/install.sh | sh": "downloads from GitHub; install.sh is tested against a local release in test/release/install.test.ts",
  "scryptorum serve": "serves until Ctrl-C on a fixed port; test/serve runs the server",
  "scryptorum serve --port 0 --open": "serves until Ctrl-C and opens a browser; test/serve runs the server",
  'scryptorum export sentiment --runs v1,v2 --format otlp --protocol http/json --endpoint https://cloud.langfuse.com/api/public/otel --header "Authorization=Basic $LANGFUSE_AUTH"':
    "sends to Langfuse's cloud: network and an account (the same export runs against the loopback receiver just before)",
  "scryptorum remote list [--json]": "shows an optional flag in brackets: syntax, not a command",
  "scryptorum remote check [team]": "needs the bucket (network, credentials); test/remote checks a real Ceph radosgw",
  "scryptorum push [<experiment>] [--remote team] [--runs ms-a,ms-b] [--json]": "syntax with optional arguments in brackets, and a bucket; test/remote pushes to a real Ceph radosgw",
  "scryptorum pull [<experiment>] [--remote team] [--runs ms-a,ms-b] [--json]": "syntax with optional arguments in brackets, and a bucket; test/remote pulls from a real Ceph radosgw",
  "scryptorum run eval -s eval.ts --milestone --push": "needs a bucket (network, credentials); test/remote/live.test.ts runs --push against a real Ceph radosgw",
  "scryptorum run eval -s shard.ts --attach team:eval/ms-20261205-120000": "needs a bucket and a run on another machine; test/remote/live.test.ts attaches to one on a real Ceph radosgw",
  "npm install": "installs from the registry (this checkout's packages are installed already)",
  "npm run build": "this suite builds before it runs",
  "npm test": "the test suite itself",
  "npm run bench": "benchmarks, minutes of CPU",
  "npm ci": "installs from the registry: the clone gets this checkout's node_modules linked instead",
  'gh pr comment "${{ github.event.pull_request.number }}" --body-file comparison.md': "posts to GitHub",
};

/**
 * Commands run before a shell block, for what the README leaves to the reader: more
 * milestones to compare; the evaluation's prompt and dataset where `eval.ts` (the evaluate
 * sample) reads them.
 */
const SETUP_BEFORE: Record<string, string[]> = {
  "scryptorum show sentiment": [
    "scryptorum run sentiment -m src/experiments/sentiment.ts --milestone --run-id v2",
    "scryptorum run sentiment -m src/experiments/sentiment.ts --milestone --run-id v3",
  ],
  "scryptorum run qa -m eval.ts --milestone --run-id v7": [
    'qa="$(echo experiments/*/experiments)/qa" && mkdir -p "$qa/prompts" "$qa/data" && cp qa-fixtures/ask.md "$qa/prompts/" && cp qa-fixtures/questions.jsonl "$qa/data/"',
  ],
};

/** The shell commands of a block: continuation lines joined, comments and blank lines dropped. */
function shellCommands(text: string): string[] {
  return text
    .replace(/\s*\\\n\s*/g, " ")
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l.length > 0 && !l.startsWith("#"));
}

/** The commands of a workflow's `run:` steps, GitHub expressions filled in as a pull request's. */
function workflowCommands(text: string): string[] {
  // Parsed, not grepped: an action's `with: { run: … }` input is not a step's command.
  const wf = Bun.YAML.parse(text) as { jobs?: Record<string, { steps?: { run?: unknown }[] }> } | { run?: unknown }[];
  const steps = Array.isArray(wf) ? wf : Object.values(wf.jobs ?? {}).flatMap((j) => j.steps ?? []);
  return steps.map((s) => s.run).filter((r): r is string => typeof r === "string").map((r) => r.trim());
}
const PR = { "${{ github.event.number }}": "7", "${{ github.event.pull_request.number }}": "7" };

function readJson(path: string): any {
  return JSON.parse(readFileSync(path, "utf8"));
}
function lines(path: string): any[] {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
}
function events(runDir: string): any[] {
  return lines(join(runDir, "run.jsonl"));
}
function write(dir: string, path: string, text: string) {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}
const sampleOf = (marker: string) => {
  const found = BLOCKS.filter((b) => b.lang === "ts" || b.lang === "typescript").filter((b) => b.text.includes(marker));
  if (found.length !== 1) throw new Error(`README: ${found.length} TypeScript samples hold ${JSON.stringify(marker)}; expected 1`);
  return found[0]!.text;
};

let fake: FakeProviders;
let receiver: Receiver;
let env: Record<string, string>;
let binDir: string;

beforeAll(async () => {
  binDir = dirname(await ensureBinary());
  fake = startFakeProviders();
  receiver = startReceiver();
  env = {
    OPENAI_API_KEY: "sk-fake",
    ANTHROPIC_API_KEY: "sk-ant-fake",
    OPENAI_BASE_URL: `${fake.url}/v1`,
    ANTHROPIC_BASE_URL: fake.url,
    PATH: `${binDir}${delimiter}${process.env.PATH}`,
    GIT_AUTHOR_NAME: "t",
    GIT_AUTHOR_EMAIL: "t@example.com",
    GIT_COMMITTER_NAME: "t",
    GIT_COMMITTER_EMAIL: "t@example.com",
  };
});

afterAll(() => {
  fake?.stop();
  receiver?.stop();
});

/** A folder with the repository's node_modules linked in (what `npm install` of the samples' imports would give). */
function userFolder(): string {
  const dir = tempDir();
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"), "junction");
  return dir;
}

describe("README samples", () => {
  test("every TypeScript, shell and workflow sample is run here or listed as not runnable with its reason", () => {
    const ts = BLOCKS.filter((b) => b.lang === "ts" || b.lang === "typescript");
    const unclaimed = ts.filter((b) => !TS_SAMPLES.some((s) => b.text.includes(s.marker))).map((b) => `README.md:${b.line}`);
    expect(unclaimed).toEqual([]);
    expect(ts).toHaveLength(TS_SAMPLES.length);
    const commands = [
      ...BLOCKS.filter((b) => b.lang === "sh" || b.lang === "bash").flatMap((b) => shellCommands(b.text)),
      ...BLOCKS.filter((b) => b.lang === "yaml").flatMap((b) => workflowCommands(b.text)),
    ];
    const unknown = commands.filter((c) => !c.startsWith("scryptorum ") && !c.includes(" scryptorum ") && !(c in NOT_RUN));
    expect(unknown).toEqual([]);
    // No stale entries: each reason still names a sample of the README.
    expect(Object.keys(NOT_RUN).filter((c) => !commands.includes(c))).toEqual([]);
    expect(BLOCKS.filter((b) => b.lang === "sql").map((b) => /^-- (\w+):/.exec(b.text)?.[1] ?? `README.md:${b.line}`)).toEqual(SQL_RUN_ELSEWHERE);
  });

  for (const runner of ["binary", "node"] as const) {
    test(`TypeScript samples under scryptorum run (${runner === "binary" ? "the binary" : "node dist/cli.mjs"})`, async () => {
      const dir = userFolder();
      expect((await bin(["init", "--project-name", "readme"], { cwd: dir })).code).toBe(0);
      const root = join(dir, "experiments/readme");
      for (const [path, text] of Object.entries(TS_FIXTURES)) write(dir, path, text);
      const cmd = runner === "binary" ? [join(binDir, "scryptorum")] : ["node", CLI_MJS];
      for (const sample of TS_SAMPLES) {
        write(dir, sample.file, sampleOf(sample.marker));
        const r: Result = await spawn([...cmd, "run", sample.experiment, ...sample.args, "--json"], { cwd: dir, env, timeoutMs: 60_000 });
        const failed = r.code !== 0 ? r.stderr : "";
        expect({ sample: sample.file, code: r.code, failed }).toEqual({ sample: sample.file, code: 0, failed: "" });
        const summary = JSON.parse(r.stdout);
        expect(summary.status).toBe("finished");
        sample.check?.(summary, root);
      }
    }, 240_000);
  }

  test("shell samples, in README order, through the binary", async () => {
    const dir = userFolder();
    write(dir, "src/experiments/sentiment.ts", sampleOf("// src/experiments/sentiment.ts"));
    write(dir, "evals/sentiment.ts", sampleOf("// src/experiments/sentiment.ts"));
    // `-s scripts/eval.ts -- --limit 20`: the README names the script, not its contents.
    write(dir, "eval.ts", sampleOf('experiment("qa")'));
    write(dir, "qa-fixtures/ask.md", QA_PROMPT);
    write(dir, "qa-fixtures/questions.jsonl", QA_DATA);
    write(dir, "scripts/eval.ts", 'import { getCurrentRun } from "scryptorum";\ngetCurrentRun()!.logEvent("script_args", { args: process.argv.slice(2) });\n');
    const script: string[] = [];
    const ran: string[] = [];
    for (const block of BLOCKS.filter((b) => b.lang === "sh")) {
      const commands = shellCommands(block.text).filter((c) => !(c in NOT_RUN));
      for (const c of [...(SETUP_BEFORE[commands[0] ?? ""] ?? []), ...commands]) {
        ran.push(c);
        const command = c.replaceAll("http://localhost:4318", receiver.url);
        script.push(`${command}\necho "${ran.length - 1} $?" >> .exit-codes`);
      }
    }
    const r = await spawn(["sh", "-c", script.join("\n")], { cwd: dir, env, timeoutMs: 180_000 });
    const codes = readFileSync(join(dir, ".exit-codes"), "utf8").trim().split("\n").map((l) => Number(l.split(" ")[1]));
    const failed = ran.filter((_c, i) => codes[i] !== 0);
    expect({ failed, output: failed.length ? r.stderr : "" }).toEqual({ failed: [], output: "" });
    expect(ran.length).toBeGreaterThan(15);
    // What they made: runs, a gate, a report, a Markdown table, traces.
    const root = join(dir, "experiments", readJson(join(dir, ".scryptorum")).project);
    const runs = readdirSync(join(root, "experiments/sentiment/runs"));
    expect(runs).toEqual(expect.arrayContaining(["trial_run", "v1", "v2", "v3"]));
    expect(readFileSync(join(dir, "results.md"), "utf8")).toContain("v2");
    expect(readFileSync(join(dir, "report.html"), "utf8").toLowerCase()).toContain("<html");
    expect(receiver.spans().some((s) => s.name === "invoke_workflow sentiment")).toBe(true);
  }, 240_000);

  test("the CI workflows, on a fresh clone of a repository where `scryptorum init` was committed", async () => {
    const origin = tempDir();
    const git = (args: string[], cwd: string) => spawn(["git", ...args], { cwd, env });
    expect((await git(["init", "-q"], origin)).code).toBe(0);
    expect((await bin(["init"], { cwd: origin })).code).toBe(0);
    write(origin, "evals/sentiment.ts", sampleOf("// src/experiments/sentiment.ts"));
    expect((await git(["add", "-A"], origin)).code).toBe(0);
    expect((await git(["commit", "-qm", "evals"], origin)).code).toBe(0);
    // The workflow whose Action step has a remote needs a bucket: test/remote/action.test.ts runs it.
    const workflows = BLOCKS.filter((b) => b.lang === "yaml" && !/^\s+remote: /m.test(b.text));
    expect(workflows.length).toBeGreaterThanOrEqual(2);
    expect(BLOCKS.filter((b) => b.lang === "yaml")).toHaveLength(workflows.length + 1);
    for (const workflow of workflows) {
      const checkout = join(tempDir(), "checkout");
      expect((await git(["clone", "-q", origin, checkout], origin)).code).toBe(0);
      expect(existsSync(join(checkout, ".scryptorum"))).toBe(true);
      expect(existsSync(join(checkout, "experiments"))).toBe(false); // git-ignored by init
      symlinkSync(join(REPO, "node_modules"), join(checkout, "node_modules"), "junction"); // what `npm ci` gives
      const summary = join(checkout, "..", "step-summary.md");
      for (const step of workflowCommands(workflow.text).filter((c) => !(c in NOT_RUN))) {
        let command = step;
        for (const [expr, value] of Object.entries(PR)) command = command.replaceAll(expr, value);
        const r = await spawn(["sh", "-c", command], { cwd: checkout, env: { ...env, GITHUB_STEP_SUMMARY: summary }, timeoutMs: 60_000 });
        expect({ step, code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ step, code: 0, stderr: "" });
      }
      const table = existsSync(summary) ? readFileSync(summary, "utf8") : readFileSync(join(checkout, "comparison.md"), "utf8");
      expect(table).toContain("pr-7");
    }
  }, 240_000);
});
