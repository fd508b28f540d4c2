import { describe, expect, test } from "bun:test";
import { isSecretName, isTokenCountName, redactArgv, redactConfig, redactUrlCredentials } from "../../../src/core/redact";
import { redactConfigText } from "../../../src/core/redact-text";

describe("redaction", () => {
  test.each([
    ["https://user:pass@example.com/x", "https://[redacted]@example.com/x"],
    ["postgres://u:p@db:5432/x and http://t@h/", "postgres://[redacted]@db:5432/x and http://[redacted]@h/"],
    ["no url here", "no url here"],
    ["mail me: a@b.c", "mail me: a@b.c"],
  ])("URL credentials in %p", (input, out) => {
    expect(redactUrlCredentials(input)).toBe(out);
  });

  test("config: secret-looking keys redacted, token counts kept, nested and arrays", () => {
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
      password_num: 123456,
      pin_token: 4242,
      maxTokens: 256,
      tokens: 7,
      keywords: ["llm"],
      nothing_key: null,
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
      use_key: "[redacted]",
      password_num: "[redacted]",
      pin_token: "[redacted]",
      maxTokens: 256,
      tokens: 7,
      keywords: ["llm"],
      nothing_key: null,
    });
  });

  test.each([
    ["api_key", true], ["apiKey", true], ["OPENAI_API_KEY", true], ["key", true], ["private-key", true],
    ["accessToken", true], ["refresh_tokens", true], ["client_secret", true], ["DB_PASSWORD", true], ["passwd", true],
    ["aws_credentials", true], ["pwd", true], ["keywords", false], ["tokenizer", false],
    ["model", false], ["author", false], ["max_tokens", true],
    // The contract's globs match anywhere in the name: `keyfile` holds a path to a key.
    ["keyfile", true], ["monkeypatch", true], ["sshKeyPath", true], ["mypwd", true], ["Passphrase_Key", true],
    // Only the exact allow-listed names are exempt, in any case.
    ["KEYWORDS", false], ["Keyword", false], ["tokenizers", false], ["keywords_extra", true], ["tokenizer_secret", true],
  ])("isSecretName(%p) is %p", (name, secret) => {
    expect(isSecretName(name as string)).toBe(secret as boolean);
  });

  test.each([
    ["max_tokens", true], ["maxTokens", true], ["MAX_TOKENS", true], ["num_tokens", true], ["n_tokens", true],
    ["max_output_tokens", true], ["maxOutputTokens", true], ["max_new_tokens", true], ["tokens", true],
    ["input_tokens", true], ["max_tokens_to_sample", true], ["token_limit", true], ["tokens_per_minute", true],
    ["min_tokens", true], ["max-token", true],
    ["token", false], ["api_token", false], ["access_tokens", false], ["refreshTokens", false], ["id_token", false],
    ["max_key_tokens", false], ["secret_tokens", false], ["password", false], ["tokenizer", false], ["model", false],
  ])("isTokenCountName(%p) is %p", (name, count) => {
    expect(isTokenCountName(name as string)).toBe(count as boolean);
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
    [["--max-tokens", "512", "--max-tokens=64"], ["--max-tokens", "512", "--max-tokens=64"]],
    [["--password", "123456", "--pin-token=42"], ["--password", "[redacted]", "--pin-token=[redacted]"]],
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

  test.each([
    ["password: 123456\n", 'password: "[redacted]"\n'],
    ["db_pwd = 42\n", 'db_pwd = "[redacted]"\n'],
    ["max_tokens: 512\nmaxTokens: 64\nnum_tokens = 3\n", "max_tokens: 512\nmaxTokens: 64\nnum_tokens = 3\n"],
    ["use_api_key: true\n", 'use_api_key: "[redacted]"\n'],
    ["api_key: null\nsecret: ~\ntoken: ''\n", "api_key: null\nsecret: ~\ntoken: ''\n"],
    ["keywords: [llm, eval]\ntokenizer: bpe\n", "keywords: [llm, eval]\ntokenizer: bpe\n"],
    ["# api_key: sk-OLD\n", '# api_key: "[redacted]"\n'],
    ["api_key: sk-1 # was sk-0\n", 'api_key: "[redacted]"\n'],
    ["tiktoken==0.5.1\nkeyring>=23\n", "tiktoken==0.5.1\nkeyring>=23\n"],
    ["api_key: sk-1\r\nmodel: m\r\n", 'api_key: "[redacted]"\r\nmodel: m\r\n'],
  ])("text config %p", (input, out) => {
    expect(redactConfigText(input)).toBe(out);
  });

  test("text config: nested YAML keys are read one line at a time", () => {
    const text = "openai:\n  api_key: sk-CANARY1\n  max_tokens: 512\nanthropic:\n  auth:\n    token: sk-CANARY2\nmodel: gpt\n";
    const out = redactConfigText(text);
    expect(out).not.toContain("CANARY");
    expect(Bun.YAML.parse(out)).toEqual({
      openai: { api_key: "[redacted]", max_tokens: 512 },
      anthropic: { auth: { token: "[redacted]" } },
      model: "gpt",
    });
  });

  test.each([
    ["token: |\n  sk-CANARY1\n  sk-CANARY2\nafter: 1\n", { token: "[redacted]\n[redacted]\n", after: 1 }],
    ["private_key: >-\n    CANARY-BEGIN\n\n    CANARY-END\nafter: 1\n", { private_key: "[redacted]\n[redacted]", after: 1 }],
    ["secret: !vault |+\n  CANARY\nafter: 1\n", { secret: "[redacted]\n", after: 1 }],
    ["creds:\n  cert_key: |\n    CANARY\n  user: bob\n", { creds: { cert_key: "[redacted]\n", user: "bob" } }],
  ])("text config: YAML block scalar %p", (input, parsed) => {
    const out = redactConfigText(input);
    expect(out).not.toContain("CANARY");
    expect(Bun.YAML.parse(out)).toEqual(parsed);
  });

  test.each([
    ["api_keys:\n  - sk-CANARY1\n  - sk-CANARY2\nmodel: m\n", { api_keys: ["[redacted]", "[redacted]"], model: "m" }],
    ["api_keys:\n- sk-CANARY1\n- sk-CANARY2\nmodel: m\n", { api_keys: ["[redacted]", "[redacted]"], model: "m" }],
    ["tokens_by_provider:\n  openai: sk-CANARY1\n  nested:\n    deep: sk-CANARY2\nmodel: m\n",
      { tokens_by_provider: { openai: "[redacted]", nested: { deep: "[redacted]" } }, model: "m" }],
    ["credentials:\n  - name: CANARY-NAME\n    value: sk-CANARY1\n", { credentials: [{ name: "[redacted]", value: "[redacted]" }] }],
    ["providers:\n  - name: openai\n    api_key: sk-CANARY1\n  - api_keys:\n      - sk-CANARY2\n    name: b\n",
      { providers: [{ name: "openai", api_key: "[redacted]" }, { api_keys: ["[redacted]"], name: "b" }] }],
    ["secrets: &base\n  a: CANARY\nkeys: [sk-CANARY1, sk-CANARY2]\n", { secrets: { a: "[redacted]" }, keys: "[redacted]" }],
    ["api_key:\n  sk-CANARY1\n  CANARY-continued\nmodel: m\n", { api_key: "[redacted]", model: "m" }],
    ["openai: {api_key: sk-CANARY1, model: m}\n", { openai: { api_key: "[redacted]", model: "m" } }],
  ])("text config: YAML list or map under a secret key %p stays valid YAML", (input, parsed) => {
    const out = redactConfigText(input);
    expect(out).not.toContain("CANARY");
    expect(Bun.YAML.parse(out)).toEqual(parsed);
  });

  test("text config: TOML sections, arrays and multi-line strings", () => {
    const text = [
      "[openai]", 'api_key = "sk-CANARY1"', 'model = "m"',
      "[api_keys]", 'openai = "sk-CANARY2"',
      "[tool]", "keys = [", '  "sk-CANARY3",', '  "sk-CANARY4"]', 'secret = """', "sk-CANARY5", '"""', "max_tokens = 5", "",
    ].join("\n");
    const out = redactConfigText(text);
    expect(out).not.toContain("CANARY");
    expect(Bun.TOML.parse(out)).toEqual({
      openai: { api_key: "[redacted]", model: "m" },
      api_keys: { openai: "[redacted]" },
      tool: { keys: ["[redacted]", "[redacted]"], secret: "[redacted]", max_tokens: 5 },
    });
  });

  test("text config: JSONC and .env multi-line values", () => {
    const jsonc = '{\n  // c\n  "api_key": "sk-CANARY1", // sk-CANARY0\n  "keys": [\n    "sk-CANARY2",\n    "sk-CANARY3"\n  ],\n  "inline": {"a": 1, "token": "sk-CANARY4"},\n  "max_tokens": 5,\n}\n';
    const out = redactConfigText(jsonc);
    expect(out).not.toContain("CANARY");
    expect(out).toContain('"max_tokens": 5,');
    expect(out).toContain('"inline": {"a": 1, "token": "[redacted]"},');
    const env = 'PRIVATE_KEY="-----BEGIN\nCANARY\n-----END"\nOTHER=1\n';
    expect(redactConfigText(env)).toBe('PRIVATE_KEY="[redacted]"\nOTHER=1\n');
  });

  test("text config: redacting twice changes nothing more", () => {
    const text = "openai:\n  api_key: sk-1\nkeys:\n  - a\ntoken: |\n  b\n";
    expect(redactConfigText(redactConfigText(text))).toBe(redactConfigText(text));
  });
});
