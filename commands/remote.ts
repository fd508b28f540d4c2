import { defineCommand } from "citty";
import { Project } from "../src/core/project";
import { addRemote, getRemote, listRemotes, removeRemote } from "../src/remote/config";
import { checkRemote } from "../src/remote/s3";
import { out, outJson } from "../src/cli/output";
import { sharedArgs } from "./_shared";

const find = (root?: string) => Project.find(process.cwd(), root);

const add = defineCommand({
  meta: { name: "add", description: "Add a remote: an S3-compatible bucket (credentials come from the environment, never stored)" },
  args: {
    name: { type: "positional", required: true, description: "The remote's name", valueHint: "name" },
    url: { type: "positional", required: true, description: "s3://<bucket>[/<prefix>]", valueHint: "s3://bucket/prefix" },
    endpoint: { type: "string", description: "The S3 endpoint (default: AWS_ENDPOINT_URL, else AWS S3)", valueHint: "url" },
    region: { type: "string", description: "The region (default: AWS_REGION, else us-east-1)", valueHint: "region" },
    "path-style": { type: "boolean", description: "Address the bucket in the path (MinIO, Ceph); default for non-AWS endpoints" },
    ...sharedArgs,
  },
  run({ args }) {
    const remote = addRemote(find(args["project-root"]), args.name, args.url, { endpoint: args.endpoint, region: args.region, pathStyle: args["path-style"] });
    if (args.json) return outJson(remote);
    out(`added remote ${remote.name}: ${remote.url}${remote.endpoint ? ` at ${remote.endpoint}` : ""}`);
  },
});

const list = defineCommand({
  meta: { name: "list", description: "List the remotes stored in .scryptorum" },
  args: { ...sharedArgs },
  run({ args }) {
    const remotes = listRemotes(find(args["project-root"]));
    if (args.json) return outJson(remotes);
    if (!remotes.length) return out("no remotes: add one with `scryptorum remote add <name> s3://<bucket>`");
    out(remotes.map((r) => `${r.name}\t${r.url}${r.endpoint ? `\t${r.endpoint}` : ""}${r.region ? `\t${r.region}` : ""}`).join("\n"));
  },
});

const remove = defineCommand({
  meta: { name: "remove", description: "Remove a remote from .scryptorum (the bucket is not touched)" },
  args: { name: { type: "positional", required: true, description: "The remote's name", valueHint: "name" }, ...sharedArgs },
  run({ args }) {
    const remote = removeRemote(find(args["project-root"]), args.name);
    if (args.json) return outJson(remote);
    out(`removed remote ${remote.name} (${remote.url}); the bucket is unchanged`);
  },
});

const check = defineCommand({
  meta: { name: "check", description: "Check a remote: reachable, credentials taken, conditional writes honoured" },
  args: { name: { type: "positional", required: false, description: "The remote's name (default: the only one)", valueHint: "name" }, ...sharedArgs },
  async run({ args }) {
    const result = await checkRemote(getRemote(find(args["project-root"]), args.name));
    if (args.json) return outJson(result);
    out(`remote ${result.remote} ok: ${result.endpoint}, bucket ${result.bucket}; conditional writes honoured (a second create got 412)`);
  },
});

export default defineCommand({
  meta: { name: "remote", description: "Team buckets (S3-compatible) in .scryptorum: add, list, remove, check" },
  subCommands: { add, list, remove, check },
});
