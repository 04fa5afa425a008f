/**
 * The dashboard's static files, bundled at build time (`node dashboard/build.mjs`, part of
 * `npm run build`) into dist/assets, which `bosun serve` and `bosun worker` serve at `/`.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The folder holding index.html, app.js and app.css. */
export const DASHBOARD_ASSETS = fileURLToPath(new URL("../assets/", import.meta.url));

/** Whether the bundle was built; a server without it answers `/` with how to build it. */
export function dashboardBuilt(): boolean {
  return existsSync(fileURLToPath(new URL("../assets/index.html", import.meta.url)));
}
