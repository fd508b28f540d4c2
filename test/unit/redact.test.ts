import { describe, expect, test } from "bun:test";
import { isSecretName, redactArgv, redactConfig, redactConfigText, redactUrlCredentials } from "../../src/core/redact";

describe("redaction", () => {
  test.each([
    ["https://user:pass@example.com/x", "https://[redacted]@example.com/x"],
    ["postgres://u:p@db:5432/x and http://t@h/", "postgres://[redacted]@db:5432/x and http://[redacted]@h/"],
    ["no url here", "no url here"],
    ["mail me: a@b.c", "mail me: a@b.c"],
  ])("URL credentials in %p", (input, out) => {
    expect(redactUrlCredentials(input)).toBe(out);
  });

  test("config: secret-looking keys redacted, numbers kept, nested and arrays", () => {
    const out: unknown = redactConfig<Record<string, unknown>>({
      model: "gpt-4o",
      api_key: "sk-123",
      OPENAI_API_KEY: "sk-456",
      auth: { token: "t", user: "bob" },
      password: ["a"],
      max_tokens: 512,
      db: "postgres://u:CANARY@h/x",
      list: [{ secret: "s" }],
      use_key: true,
    });
    expect(out).toEqual({
      model: "gpt-4o",
      api_key: "[redacted]",
      OPENAI_API_KEY: "[redacted]",
      auth: { token: "[redacted]", user: "bob" },
      password: "[redacted]",
      max_tokens: 512,
      db: "postgres://[redacted]@h/x",
      list: [{ secret: "[redacted]" }],
      use_key: true,
    });
  });

  test.each([
    ["api_key", true], ["apiKey", true], ["OPENAI_API_KEY", true], ["key", true], ["private-key", true],
    ["accessToken", true], ["refresh_tokens", true], ["client_secret", true], ["DB_PASSWORD", true], ["passwd", true],
    ["aws_credentials", true], ["pwd", true], ["keywords", false], ["monkeypatch", false], ["tokenizer", false],
    ["model", false], ["author", false], ["max_tokens", true],
  ])("isSecretName(%p) is %p", (name, secret) => {
    expect(isSecretName(name as string)).toBe(secret as boolean);
  });

  test("config: __proto__ stays an own key and Object.prototype is untouched", () => {
    const out = redactConfig(JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}'));
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(({} as any).polluted).toBeUndefined();
  });

  test.each([
    [["--api-key=sk-1", "--model=gpt"], ["--api-key=[redacted]", "--model=gpt"]],
    [["--api-key", "sk-1", "x"], ["--api-key", "[redacted]", "x"]],
    [["--token", "--verbose"], ["--token", "--verbose"]],
    [["--db=https://u:p@h"], ["--db=https://[redacted]@h"]],
  ])("argv %p", (argv, out) => {
    expect(redactArgv(argv)).toEqual(out);
  });

  test("text config files", () => {
    const text = "model: gpt-4o\napi_key: sk-CANARY\nmax_tokens: 12\nexport SECRET_TOKEN=abc\nurl = https://u:p@h/x\n";
    const out = redactConfigText(text);
    expect(out).not.toContain("CANARY");
    expect(out).not.toContain("abc");
    expect(out).toContain("max_tokens: 12");
    expect(out).toContain("model: gpt-4o");
    expect(out).toContain("https://[redacted]@h/x");
  });
});
