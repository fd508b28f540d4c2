/** The shape of an evaluation's cases (dataset.ts builds them; source.ts and fingerprint.ts read them). */

/** One case of an evaluation. */
export interface EvalCase<I = unknown, E = unknown> {
  id: string;
  input: I;
  expected?: E;
  metadata?: Record<string, unknown>;
}

/** The cases, with the dataset's name and the sha256 of its content (its version). */
export type Dataset<I = unknown, E = unknown> = EvalCase<I, E>[] & { name: string; hash: string };
