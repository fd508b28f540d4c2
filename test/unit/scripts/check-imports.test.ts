import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { checkImports, importSpecifiers } from "../../../scripts/check-imports";
import { tempDir, writeFiles } from "../../helpers/cli";

const root = join(import.meta.dir, "../../..");

function tree(files: Record<string, string>): string {
  const dir = tempDir("imports-");
  writeFiles(dir, files);
  return dir;
}

describe("check:imports", () => {
  test("the repository's src/: no cycle, src/core imports only src/core", () => {
    expect(checkImports(root).map((f) => f.message)).toEqual([]);
  });

  test("a cycle, type-only imports included, is found with its loop", () => {
    const dir = tree({
      "src/read/a.ts": 'import { b } from "./b";\nexport const a = 1;\n',
      "src/read/b.ts": 'import type { C } from "./c";\nexport const b = 2;\n',
      "src/read/c.ts": 'export type { A } from "./a.ts";\nexport type C = number;\n',
      "src/read/d.ts": 'import { a } from "./a";\n',
    });
    const findings = checkImports(dir);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: "cycle", files: ["src/read/a.ts", "src/read/b.ts", "src/read/c.ts"] });
    expect(findings[0]!.message).toBe("import cycle: src/read/a.ts -> src/read/b.ts -> src/read/c.ts -> src/read/a.ts");
  });

  test("src/core importing another src/ folder (a dynamic import too) is refused; the other way round is fine", () => {
    const dir = tree({
      "src/version.ts": "export const V = 1;\n",
      "src/core/run.ts": 'import { V } from "../version";\nexport const r = () => import("../snapshot/index");\n',
      "src/snapshot/index.ts": 'import { x } from "../core/util";\n',
      "src/core/util.ts": "export const x = 1;\n",
    });
    expect(checkImports(dir).map((f) => f.message)).toEqual([
      "src/core/run.ts imports src/version.ts: src/core imports nothing from other src/ folders",
      "src/core/run.ts imports src/snapshot/index.ts: src/core imports nothing from other src/ folders",
    ]);
  });

  test.each([
    ['import { a } from "./a";', ["./a"]],
    ['import type {\n  A,\n  B,\n} from "./types";', ["./types"]],
    ['export * from "./all";\nexport { x as y } from "../x";', ["./all", "../x"]],
    ['import "./side-effect";', ["./side-effect"]],
    ['const m = await import("./lazy");', ["./lazy"]],
    ['import { readFileSync } from "node:fs";\nimport pathe from "pathe";', []],
    ['// import { old } from "./commented";\n/* import "./block"; */', []],
  ])("importSpecifiers(%j)", (source, expected) => {
    expect(importSpecifiers(source)).toEqual(expected);
  });
});
