/** Environment for the peer benchmark and everything it starts. */

/** The environment that turns off every phone-home switch the peers (and their CLIs) read. */
export function quietEnv(): Record<string, string> {
  return {
    DO_NOT_TRACK: "1",
    NO_UPDATE_NOTIFIER: "1",
    NO_COLOR: "1",
    // promptfoo: telemetry, update check, sharing and remote generation off
    PROMPTFOO_DISABLE_TELEMETRY: "1",
    PROMPTFOO_DISABLE_UPDATE: "1",
    PROMPTFOO_DISABLE_SHARING: "1",
    PROMPTFOO_DISABLE_REMOTE_GENERATION: "1",
    PROMPTFOO_DISABLE_REDTEAM_REMOTE_GENERATION: "1",
    // weave / wandb: never print call links, never log in
    WEAVE_PRINT_CALL_LINK: "false",
    WANDB_MODE: "offline",
    WANDB_SILENT: "true",
    // braintrust: no API key, so nothing can log in for real
    BRAINTRUST_API_KEY: "",
    // langfuse: nothing to switch off; its base URL is set to the loopback sink by bench.ts
  };
}
