/** A milestone's code snapshot: the files its manifest lists, filterable, each shown as text. */
import { filePath, getJson } from "../data";
import { h, pre, replace, table } from "../dom";
import { fmtBytes, fmtNumber } from "../format";
import { errorBox } from "../ui";

interface ManifestView {
  files: { path: string; size: number; sha256: string }[];
  excluded: { path: string; reason: string }[];
}

interface SnapshotFileView {
  path: string;
  size: number;
  sha256: string;
  binary: boolean;
  truncated: boolean;
  text: string | null;
}

/** The snapshot panel of the run at `base`: a button until asked, then the file browser. */
export function snapshotPanel(base: string, signal: AbortSignal, summary: { files: number; bytes: number; excluded: number } | null): HTMLElement {
  const panel = h("div");
  if (!summary) {
    replace(panel, h("p", { class: "empty" }, "Only milestone runs keep a code snapshot."));
    return panel;
  }
  const btn = h("button", { type: "button" }, `Browse ${fmtNumber(summary.files)} files (${fmtBytes(summary.bytes)})`);
  btn.addEventListener("click", () => void browseSnapshot().catch((e) => panel.append(errorBox(e))));
  replace(panel, h("p", null, btn, summary.excluded ? h("span", { class: "muted" }, ` · ${fmtNumber(summary.excluded)} paths left out`) : null));

  async function browseSnapshot(): Promise<void> {
    const m = await getJson<ManifestView>(`${base}/snapshot`, signal);
    const viewer = h("div", { class: "file-view" }, h("p", { class: "muted" }, "Pick a file to see it."));
    const list = h("div", { class: "file-list" });
    const drawList = (filter: string) => {
      const files = m.files.filter((f) => f.path.toLowerCase().includes(filter));
      replace(
        list,
        h(
          "ul",
          { class: "files" },
          files.slice(0, 2000).map((f) =>
            h(
              "li",
              null,
              h("button", { type: "button", class: "link", dataset: { path: f.path }, on: { click: () => void openFile(f.path) } }, f.path),
              h("span", { class: "muted" }, ` ${fmtBytes(f.size)}`),
            ),
          ),
        ),
        files.length > 2000 ? h("p", { class: "muted" }, `${files.length - 2000} more: narrow the filter`) : null,
      );
    };
    const openFile = async (path: string) => {
      try {
        const f = await getJson<SnapshotFileView>(filePath(`${base}/snapshot`, path), signal);
        replace(
          viewer,
          h(
            "div",
            { class: "file-head" },
            h("strong", { class: "mono" }, f.path),
            h("span", { class: "muted" }, ` ${fmtBytes(f.size)} · sha256 ${f.sha256.slice(0, 12)} · `),
            h("a", { href: `${filePath(`${base}/snapshot`, path)}?download=1`, download: path.split("/").pop() ?? true }, "download"),
          ),
          f.binary ? h("p", { class: "muted" }, "Binary file: not shown.") : pre(f.text ?? "", "text code"),
          f.truncated ? h("p", { class: "muted" }, "Shown up to 2 MiB.") : null,
        );
      } catch (e) {
        replace(viewer, errorBox(e));
      }
    };
    drawList("");
    replace(
      panel,
      h("input", { type: "search", placeholder: "Filter files", "aria-label": "filter snapshot files", on: { input: (e) => drawList((e.target as HTMLInputElement).value.toLowerCase()) } }),
      h("div", { class: "snapshot" }, list, viewer),
      m.excluded.length
        ? h("details", null, h("summary", null, `${m.excluded.length} paths left out`), table(["path", "reason"], m.excluded.map((x) => [x.path, x.reason]), "grid compact"))
        : null,
    );
  }
  return panel;
}
