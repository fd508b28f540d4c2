/** Routes of the viewer: `#/`, `#/e/<experiment>`, `#/e/<experiment>/r/<run>`, `#/e/<experiment>/compare?runs=a,b`. */

/** The route: path parts and query of `#/a/b?x=1`. */
export function parseHash(hash = location.hash): { parts: string[]; params: URLSearchParams } {
  const raw = hash.replace(/^#\/?/, "");
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  const parts = path.split("/").filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { parts, params: new URLSearchParams(q < 0 ? "" : raw.slice(q + 1)) };
}

/** `#/e/<experiment>[/r/<run>]` and friends, names encoded. */
export const routes = {
  project: () => "#/",
  experiment: (e: string) => `#/e/${encodeURIComponent(e)}`,
  run: (e: string, r: string) => `#/e/${encodeURIComponent(e)}/r/${encodeURIComponent(r)}`,
  compare: (e: string, runs: string[], baseline?: string) =>
    `#/e/${encodeURIComponent(e)}/compare?runs=${runs.map(encodeURIComponent).join(",")}${baseline ? `&baseline=${encodeURIComponent(baseline)}` : ""}`,
};

