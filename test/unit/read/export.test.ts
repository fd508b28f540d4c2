import { describe, expect, test } from "bun:test";
import { csvField, exportRows, toCsv, toJson, toMarkdown } from "../../../src/read/export";
import { fakeReport } from "./report-fake";

const rows = exportRows([
  fakeReport("v1", { accuracy: 0.8123456, label: 'say "hi", then\nleave' }, { tags: ["a", "b"], note: "x | y" }),
  fakeReport("v2", { accuracy: 0.9, f1: 0.5 }),
]);

describe("csvField", () => {
  test.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    [" padded", '" padded"'],
    [0.5, "0.5"],
    [null, ""],
    [true, "true"],
    [{ a: 1 }, '"{""a"":1}"'],
  ])("%j -> %s", (value, expected) => expect(csvField(value)).toBe(expected));
});

describe("export formats", () => {
  test("csv: header, one row per run, CRLF, quoted where needed", () => {
    const csv = toCsv(rows).split("\r\n");
    expect(csv[0]).toBe("run_id,run_type,status,started_at,finished_at,duration_seconds,tags,note,git_commit,git_dirty,llm_calls,tokens,cost_usd,accuracy,label,f1");
    expect(csv[1]).toBe('v1,milestone,finished,2026-01-01T00:00:00.000Z,2026-01-01T00:01:00.000Z,60,a b,x | y,,,0,0,,0.8123456,"say ""hi"", then\nleave",');
    expect(csv[2]).toBe("v2,milestone,finished,2026-01-01T00:00:00.000Z,2026-01-01T00:01:00.000Z,60,,,,,0,0,,0.9,,0.5");
    expect(csv[3]).toBe("");
  });

  test("md: empty columns dropped, pipes and newlines escaped, numbers right-aligned", () => {
    const md = toMarkdown(rows).split("\n");
    expect(md[0]).toBe("| run_id | run_type | status | started_at | finished_at | duration_seconds | tags | note | llm_calls | tokens | accuracy | label | f1 |");
    expect(md[1]).toBe("| --- | --- | --- | --- | --- | ---: | --- | --- | ---: | ---: | ---: | --- | ---: |");
    expect(md[2]).toBe('| v1 | milestone | finished | 2026-01-01T00:00:00.000Z | 2026-01-01T00:01:00.000Z | 60 | a b | x \\| y | 0 | 0 | 0.8123 | say "hi", then<br>leave |  |');
  });

  test("json: rows as they are", () => {
    const json = JSON.parse(toJson(rows));
    expect(json[1]).toEqual({
      run_id: "v2", run_type: "milestone", status: "finished", started_at: "2026-01-01T00:00:00.000Z", finished_at: "2026-01-01T00:01:00.000Z",
      duration_seconds: 60, tags: [], note: null, git_commit: null, git_dirty: null, llm_calls: 0, tokens: 0, cost_usd: null, metrics: { accuracy: 0.9, f1: 0.5 },
    });
  });

  test("a metric named like a metadata column is prefixed", () => {
    expect(toCsv(exportRows([fakeReport("v1", { status: 1 })])).split("\r\n")[0]).toEndWith(",cost_usd,metric.status");
  });
});
