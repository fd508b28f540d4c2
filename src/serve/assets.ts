/**
 * The viewer's files as the server sends them: the page, its script and its stylesheet,
 * all from the bundle made at build time (see bundle.ts). Loaded lazily, on the first
 * `serve` or `report`.
 */
import { createHash } from "node:crypto";
import { viewerBundle } from "./bundle" with { type: "macro" };

const BUNDLE = viewerBundle();

/** The viewer's script. */
export const VIEWER_JS: string = BUNDLE.js;
/** The viewer's stylesheet (uPlot's included). */
export const VIEWER_CSS: string = BUNDLE.css;

/** A short content hash, to version the asset URLs. */
export const ASSET_VERSION = createHash("sha256").update(VIEWER_JS).update(VIEWER_CSS).digest("hex").slice(0, 12);

/** The page every route of `serve` starts from; the script routes by the URL's hash. */
export function indexHtml(): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    "<title>scryptorum</title>",
    '<link rel="icon" href="data:,">',
    `<link rel="stylesheet" href="/assets/viewer.css?v=${ASSET_VERSION}">`,
    `<script src="/assets/viewer.js?v=${ASSET_VERSION}" defer></script>`,
    "</head>",
    '<body><div id="app"></div></body>',
    "</html>",
    "",
  ].join("\n");
}
