#!/usr/bin/env bun
/**
 * The CLI entry. Runs the root command (`runCli`, src/cli/entry.ts: scryptorum's own error
 * handling and exit codes: 0 success; 1 the experiment failed (or a bug); 2 a usage or input
 * error; 130/143 for SIGINT/SIGTERM during a run) and exits with its code, here and nowhere else.
 */
import { main } from "./index";
import { runCli } from "../src/cli/entry";
import { drainOutput } from "../src/cli/output";

// Exits once our output has drained. Exiting explicitly also ends a run whose user code left timers or sockets open.
void runCli(main, process.argv.slice(2)).then((code) => drainOutput().then(() => process.exit(code)));
