import { defineCommand } from "citty";
import { upgrade } from "../src/upgrade";
import { out } from "../src/cli/output";
import { debugArg } from "./_shared";

export default defineCommand({
  meta: { name: "upgrade", description: "Replace this scryptorum binary with the latest release (or --version <tag>), checksum-verified" },
  args: {
    version: { type: "string", description: "Install this release instead of the latest (v0.2.0), older or newer", valueHint: "tag" },
    check: { type: "boolean", description: "Only say whether a newer release exists" },
    "dry-run": { type: "boolean", description: "Download and verify, but replace nothing" },
    json: { type: "boolean", description: "Print the outcome as JSON on stdout" },
    ...debugArg,
  },
  async run({ args }) {
    const result = await upgrade({
      version: args.version,
      check: args.check,
      dryRun: args["dry-run"],
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (args.json) out(JSON.stringify(result));
  },
});
