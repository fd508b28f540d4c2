import { defineCommand } from "citty";
import { spawn } from "node:child_process";
import { Interrupted, UserError, type StopSignal } from "../src/core/errors";
import { Project } from "../src/core/project";
import { logger } from "../src/cli/log";
import { out } from "../src/cli/output";
import { isLoopback, startServer } from "../src/serve/server";
import { debugArg, projectRootArg } from "./_shared";

/** Opens a URL in the desktop's browser; a failure is only logged. */
function openBrowser(url: string): void {
  const [cmd, args] = process.platform === "darwin" ? ["open", [url]] : process.platform === "win32" ? ["cmd", ["/c", "start", "", url]] : ["xdg-open", [url]];
  try {
    const child = spawn(cmd as string, args as string[], { stdio: "ignore", detached: true });
    child.on("error", () => logger.warn(`could not open a browser (${cmd}): open ${url} yourself`));
    child.unref();
  } catch {
    logger.warn(`could not open a browser: open ${url} yourself`);
  }
}

export default defineCommand({
  meta: { name: "serve", description: "Browse the project's runs in a local web viewer (loopback only by default; Ctrl-C stops it)" },
  args: {
    port: { type: "string", description: "Port to listen on (default 4280; 0 picks a free port)", default: "4280", valueHint: "n" },
    host: { type: "string", description: "Address to bind (default 127.0.0.1; anything else exposes your runs to that network)", default: "127.0.0.1", valueHint: "address" },
    open: { type: "boolean", description: "Open the viewer in your browser" },
    ...projectRootArg,
    ...debugArg,
  },
  async run({ args }) {
    const port = Number(args.port);
    if (!/^\d+$/.test(String(args.port)) || port > 65535) throw new UserError(`--port ${args.port} is not valid: give 0-65535 (0 picks a free port)`);
    const host = String(args.host || "127.0.0.1");
    const project = Project.find(process.cwd(), args["project-root"]);
    const server = await startServer({
      projectRoot: project.root,
      port,
      host,
      onError: (message) => logger.error(message),
    });
    out(server.url);
    logger.info(`viewing project "${project.name}" (${project.root}): press Ctrl-C to stop`);
    if (!isLoopback(host)) logger.warn(`listening on ${host}: the viewer has no login, so anyone who can reach this address can read your runs`);
    if (args.open) openBrowser(server.url);
    // Stop on Ctrl-C / SIGTERM: close the server (at most 2 s), then the CLI entry exits 130/143.
    const signal = await new Promise<StopSignal>((resolve) => {
      process.once("SIGINT", () => resolve("SIGINT"));
      process.once("SIGTERM", () => resolve("SIGTERM"));
    });
    await Promise.race([server.stop().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    throw new Interrupted(`the viewer was stopped by ${signal}`, signal, { quiet: true });
  },
});
