/**
 * The viewer's entry: a hash router over four pages (project, experiment, run, compare).
 * In a report file it shows the embedded comparison only.
 */
import { h, replace } from "./dom";
import { embeddedReport } from "./data";
import { renderProject } from "./pages/project";
import { renderExperiment } from "./pages/experiment";
import { renderRun } from "./pages/run";
import { renderCompare } from "./pages/compare";
import { parseHash, routes } from "./nav";
import type { Cleanup } from "./ui";

const app = document.getElementById("app")!;
let cleanup: Cleanup;

function notFound(): void {
  replace(app, h("main", { class: "page" }, h("h1", null, "Not found"), h("p", null, h("a", { href: routes.project() }, "Back to the project"))));
}

async function route(): Promise<void> {
  if (typeof cleanup === "function") cleanup();
  cleanup = undefined;
  const report = embeddedReport();
  if (report) {
    document.body.classList.add("report");
    cleanup = renderCompare(app, { report });
    return;
  }
  const { parts, params } = parseHash();
  window.scrollTo(0, 0);
  if (parts.length === 0) cleanup = renderProject(app);
  else if (parts[0] === "e" && parts.length === 2) cleanup = renderExperiment(app, parts[1]!);
  else if (parts[0] === "e" && parts.length === 4 && parts[2] === "r") cleanup = renderRun(app, parts[1]!, parts[3]!);
  else if (parts[0] === "e" && parts.length === 3 && parts[2] === "compare") {
    const runs = (params.get("runs") ?? "").split(",").filter(Boolean);
    cleanup = renderCompare(app, { experiment: parts[1]!, runs, baseline: params.get("baseline") ?? undefined });
  } else notFound();
}

window.addEventListener("hashchange", () => void route());
void route();
