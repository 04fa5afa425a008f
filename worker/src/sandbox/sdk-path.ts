/** Where the SDK's source is: scripts' `brigadier`, `@brigadecore/brigadier` and `@bosun/sdk` all bundle it. */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

let entry: string | undefined;

/** sdk/src/index.ts, as the @bosun/sdk package exports it. */
export function sdkEntry(): string {
  entry ??= fileURLToPath(import.meta.resolve("@bosun/sdk/src/index.ts"));
  return entry;
}

/** The SDK package's folder. */
export function sdkRoot(): string {
  return resolve(dirname(sdkEntry()), "..");
}
