/** The start-up floor: a citty hello-world, compiled with `bun build --compile` like the scryptorum binary. */
import { defineCommand, runMain } from "citty";

runMain(
  defineCommand({
    meta: { name: "hello", version: "1.0.0", description: "Says hello." },
    args: { name: { type: "string", description: "who to greet" } },
    run: ({ args }) => console.log("hello", args.name ?? "world"),
  }),
);
