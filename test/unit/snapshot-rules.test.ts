import { describe, expect, test } from "bun:test";
import { isIgnored, parseGitignore } from "../../src/snapshot/gitignore.ts";
import { classifyPath } from "../../src/snapshot/policy.ts";
import { stripUrlCredentials } from "../../src/snapshot/git.ts";
import { snapshotOptionsFromAnchor } from "../../src/snapshot/index.ts";

describe("gitignore matcher", () => {
  const cases: Array<[string, string, string, boolean, boolean]> = [
    // [gitignore text, base, path, isDir, ignored]
    ["*.log", "", "a.log", false, true],
    ["*.log", "", "deep/er/a.log", false, true],
    ["*.log", "", "a.logx", false, false],
    ["# comment\n\n*.log", "", "# comment", false, false],
    ["\\#hash", "", "#hash", false, true],
    ["*.log\n!keep.log", "", "x/keep.log", false, false],
    ["*.log\n!keep.log\nkeep.log", "", "keep.log", false, true],
    ["build/", "", "build", true, true],
    ["build/", "", "build", false, false],
    ["build/", "", "src/build", true, true],
    ["/build", "", "build", true, true],
    ["/build", "", "src/build", true, false],
    ["doc/frotz", "", "doc/frotz", true, true],
    ["doc/frotz", "", "a/doc/frotz", true, false],
    ["a?c", "", "abc", false, true],
    ["a?c", "", "a/c", false, false],
    ["[ab]x", "", "bx", false, true],
    ["[!ab]x", "", "cx", false, true],
    ["[!ab]x", "", "ax", false, false],
    ["**/foo", "", "foo", true, true],
    ["**/foo", "", "x/y/foo", false, true],
    ["**/foo/bar", "", "x/foo/bar", false, true],
    ["abc/**", "", "abc/x/y", false, true],
    ["abc/**", "", "abc", true, false],
    ["a/**/b", "", "a/b", false, true],
    ["a/**/b", "", "a/x/y/b", false, true],
    ["a/**/b", "", "z/a/x/b", false, false],
    ["*.tmp", "web", "web/x.tmp", false, true],
    ["*.tmp", "web", "x.tmp", false, false],
    ["/only-here", "web", "web/only-here", false, true],
    ["/only-here", "web", "web/sub/only-here", false, false],
    ["trailing   ", "", "trailing", false, true],
    ["foo*bar", "", "foo/bar", false, false],
    ["foo.txt", "", "foo.txt", false, true],
    ["foo.txt", "", "fooxtxt", false, false],
  ];
  test.each(cases)("%p in %p: %p (dir %p) -> %p", (text, base, path, isDir, ignored) => {
    expect(isIgnored(parseGitignore(text, base), path, isDir)).toBe(ignored);
  });

  test("a deeper .gitignore overrides an outer one", () => {
    const rules = [...parseGitignore("*.gen.ts"), ...parseGitignore("!keep.gen.ts", "src")];
    expect(isIgnored(rules, "src/keep.gen.ts", false)).toBe(false);
    expect(isIgnored(rules, "lib/keep.gen.ts", false)).toBe(true);
  });
});

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

describe("snapshot options from .scryptorum", () => {
  const anchor = (extra: Record<string, unknown>) => ({ format: 1, project: "p", experiments_dir: "./experiments", ...extra });

  test.each([
    [undefined, {}],
    [anchor({}), {}],
    [anchor({ snapshot: {} }), {}],
    [anchor({ snapshot: { max_file_bytes: 5242880 } }), { maxFileBytes: 5242880 }],
    [anchor({ snapshot: { max_file_bytes: 1 } }), { maxFileBytes: 1 }],
  ])("%p -> %p", (input, out) => {
    expect(snapshotOptionsFromAnchor(input)).toEqual(out);
  });

  test.each([0, -1, 1.5, "1MB", null, Number.NaN, Infinity, 2 ** 60])("max_file_bytes %p is refused, naming the field and the fix", (value) => {
    expect(() => snapshotOptionsFromAnchor(anchor({ snapshot: { max_file_bytes: value } }))).toThrow(
      /^snapshot\.max_file_bytes in \.scryptorum must be a positive whole number of bytes \(got .+\): set it to e\.g\. 1048576/,
    );
  });

  test.each(["big", 5, [1]])("a snapshot value %p that is not an object is refused", (value) => {
    expect(() => snapshotOptionsFromAnchor(anchor({ snapshot: value }))).toThrow(/"snapshot" in \.scryptorum must be an object/);
  });
});
