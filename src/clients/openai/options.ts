/** Request options that change neither an OpenAI answer nor its shape: not part of the cache key. */
export const OPENAI_NON_SEMANTIC: readonly string[] = ["user", "metadata", "store", "safety_identifier", "prompt_cache_key", "prompt_cache_retention", "service_tier"];
