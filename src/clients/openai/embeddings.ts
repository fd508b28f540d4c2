/** OpenAI embeddings: the request and the response, as logged (the vectors stay out). */
import { arr, obj, omit, str, type Obj } from "../shared/shape";
import type { Endpoint } from "../shared/sdk-call";

/** Embeddings: the vectors themselves stay out of the log; a count and their size say enough. */
export const embeddings: Endpoint = {
  provider: "openai",
  api: "embeddings",
  ignore: ["user"],
  describe: (body) => ({ input: body.input, params: omit(body, ["model", "input"]) }),
  read(response) {
    const r = obj(response) ?? {};
    const data = arr(r.data).map((d) => obj(d) ?? {});
    const first = data[0]?.embedding;
    const output: Obj = { embeddings: data.length };
    if (Array.isArray(first)) output.dimensions = first.length;
    return { output, usage: r.usage ?? undefined, model: str(r.model) };
  },
  accumulate: () => ({ add: () => false, result: () => ({ output: null }) }),
};
