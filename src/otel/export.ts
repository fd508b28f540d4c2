/** `scryptorum export <experiment> --format otlp`: each run as one trace, sent to an OTLP collector. */
import { runDir } from "../core/layout";
import type { ExperimentRef } from "../read/locate";
import { otlpSettings, type OtlpOptions } from "./config";
import { streamRunTrace } from "./read";
import { BATCH, createSender } from "./send";

export interface OtlpExportResult {
  url: string;
  protocol: string;
  runs: number;
  spans: number;
}

/**
 * Sends the runs `ids` of an experiment, one trace each; rejects with ExportFailed (exit 1)
 * when the collector refuses or cannot be reached, UserError (exit 2) for bad settings.
 *
 * @example
 * await exportOtlp(findExperiment("qa"), ["v1"], { endpoint: "http://localhost:4318" });
 */
export async function exportOtlp(exp: ExperimentRef, ids: readonly string[], opts: OtlpOptions, env = process.env): Promise<OtlpExportResult> {
  const settings = otlpSettings(opts, env);
  const sender = await createSender(settings, exp.project.name);
  let spans = 0;
  try {
    for (const id of ids) {
      // Sent while read: a run of a million calls never sits in memory whole.
      const pipeline = sender.pipeline();
      spans += await streamRunTrace(runDir(exp.project.root, exp.name, id), { includeContent: settings.includeContent }, BATCH, (batch) => pipeline.push(batch));
      await pipeline.finish();
    }
  } finally {
    await sender.shutdown().catch(() => {});
  }
  return { url: settings.url, protocol: settings.protocol, runs: ids.length, spans };
}
