import { describe, expect, test } from "bun:test";
import { classifyPath } from "../../../src/snapshot/policy.ts";
import { stripUrlCredentials } from "../../../src/snapshot/git.ts";

describe("secrets policy", () => {
  const cases: Array<[string, string | undefined, string | undefined]> = [
    [".env", ".env", "secret: env file"],
    ["app/.env.local", "app/.env.local", "secret: env file"],
    [".env/lib/site.py", ".env", "secret: env file"],
    ["home/.ssh/id_rsa", "home/.ssh/id_rsa", "secret: private key"],
    ["id_ed25519.pub", "id_ed25519.pub", "secret: private key"],
    ["certs/server.PEM", "certs/server.PEM", "secret: private key or certificate"],
    ["tls/server.key", "tls/server.key", "secret: private key"],
    [".npmrc", ".npmrc", "secret: npm credentials"],
    [".netrc", ".netrc", "secret: netrc credentials"],
    ["web/node_modules/a/b.js", "web/node_modules", "dependency"],
    [".git/config", ".git", "vcs"],
    ["src/id.ts", undefined, undefined],
    ["src/keys.ts", undefined, undefined],
    ["constructor/x.ts", undefined, undefined],
    ["environment.ts", undefined, undefined],
  ];
  test.each(cases)("%p", (path, where, reason) => {
    const hit = classifyPath(path);
    expect(hit?.path).toBe(where as string);
    expect(hit?.reason).toBe(reason as string);
  });

  test.each([
    ["https://user:CANARYTOKEN@example.com/r.git", "https://example.com/r.git"],
    ["https://token@example.com/r.git", "https://example.com/r.git"],
    ["git@github.com:o/r.git", "git@github.com:o/r.git"],
    ["ssh://git@host/r.git", "ssh://git@host/r.git"],
    ["ssh://git:CANARY@host/r.git", "ssh://host/r.git"],
    ["https://example.com/r.git", "https://example.com/r.git"],
  ])("remote %p -> %p", (url, clean) => {
    expect(stripUrlCredentials(url)).toBe(clean);
  });
});
