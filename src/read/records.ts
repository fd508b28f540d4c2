/** Reading fields of JSONL records the same way everywhere: case keys and errors. */

/**
 * The case key of a record: `case`, `id`, `case_id` or `caseId`, as text; null when none.
 *
 * @example
 * caseKeyOf({ case: "q17" }); // "q17"
 * caseKeyOf({ id: 3 });       // "3"
 */
export function caseKeyOf(r: Record<string, unknown>): string | null {
  const k = r.case ?? r.id ?? r.case_id ?? r.caseId;
  if (k === undefined || k === null) return null;
  return typeof k === "string" ? k : JSON.stringify(k);
}

/**
 * True when an llm_call or timing record carries an error.
 *
 * @example
 * hasError({ error: "rate limited" }); // true
 */
export function hasError(r: Record<string, unknown>): boolean {
  const e = r.error;
  return e !== undefined && e !== null && e !== false && e !== "";
}
