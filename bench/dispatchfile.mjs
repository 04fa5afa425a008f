// Dispatchfile parse and match time per fixture (µs per call, many calls after a warm-up).
// Baseline in the same run: JSON.parse of the JSON form's body, the least a reader could do.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { matchImagePush, parseDispatchfile } from "../dispatchfile/dist/src/index.js";
import { ROOT } from "./lib.mjs";

const ITERATIONS = Number(process.env.BENCH_DISPATCHFILE_ITERATIONS ?? 5000);
const DIR = join(ROOT, "fixtures", "dispatchfiles");
const TAGS = ["release", "v1.2.3", "v1.2.3-rc1", "latest"];

/** Mean µs per call of fn over ITERATIONS calls, after ITERATIONS / 5 calls of warm-up. */
function timeUs(fn) {
  for (let i = 0; i < ITERATIONS / 5; i++) fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / 1e3 / ITERATIONS;
}

export async function benchDispatchfile() {
  const files = readdirSync(DIR).filter((f) => f.endsWith("Dispatchfile") && !f.startsWith("broken-"));
  const jsonForm = readFileSync(join(DIR, "release-pipeline.json.Dispatchfile"), "utf8");
  const jsonBody = jsonForm.slice(jsonForm.indexOf("\n") + 1);
  const baseline = timeUs(() => JSON.parse(jsonBody));

  console.log(`\nDispatchfile parse + match (${ITERATIONS} calls each, mean)`);
  console.log(
    `  JSON.parse of release-pipeline.json's body (baseline)  ${baseline.toFixed(1).padStart(7)} µs  1.00x`,
  );
  for (const file of files) {
    const text = readFileSync(join(DIR, file), "utf8");
    const parsed = parseDispatchfile(text);
    if (parsed.errors) throw new Error(`${file} does not parse: ${parsed.errors[0].message}`);
    const parse = timeUs(() => parseDispatchfile(text));
    const match = timeUs((i) =>
      matchImagePush(parsed.value, { repository: "example/app", tag: TAGS[i % TAGS.length] }),
    );
    console.log(
      `  ${file.padEnd(40)} parse ${parse.toFixed(1).padStart(7)} µs  ${(parse / baseline).toFixed(1).padStart(5)}x baseline   match ${match.toFixed(2).padStart(6)} µs`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchDispatchfile();
