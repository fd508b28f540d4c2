import { describe, expect, test } from "bun:test";
import { isIgnored, parseGitignore } from "../../../src/snapshot/gitignore.ts";

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
