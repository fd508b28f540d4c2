/**
 * Reading fields of JSONL records the same way everywhere: case keys here; errors and the
 * record types in core/records.ts.
 */

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

export { hasError, errorOf } from "../core/records";
