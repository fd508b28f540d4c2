/** Reading loosely typed SDK payloads: small guards shared by the client adapters. */

export type Obj = Record<string, unknown>;

/** The value as a plain object, or undefined. */
export const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);

/** The value as an array (empty when it is not one). */
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The value when it is a string. */
export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The object's own fields except the named ones (undefined values dropped). */
export function omit(o: Obj, keys: readonly string[]): Obj {
  const out: Obj = {};
  for (const key of Object.keys(o)) if (!keys.includes(key) && o[key] !== undefined) out[key] = o[key];
  return out;
}
