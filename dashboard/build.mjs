// Bundles the dashboard (web/main.ts and what it imports) into dist/assets with esbuild: one small
// script, its stylesheet and the page, nothing fetched from elsewhere at run time.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const here = new URL(".", import.meta.url).pathname;
const out = join(here, "dist", "assets");
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, "web", "main.ts")],
  outfile: join(out, "app.js"),
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  legalComments: "none",
  logLevel: "warning",
});
for (const file of ["index.html", "app.css"]) copyFileSync(join(here, "web", file), join(out, file));
