import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// Tests run compiled from gateways/dist/test/; fixtures stay in gateways/test/fixtures.
const OWN_FIXTURES = new URL("../../../test/fixtures/", import.meta.url);
// The shared corpus sits next to the repository: <repo>/../shared/fixtures/registries.
const SHARED_FIXTURES = new URL("../../../../../shared/fixtures/registries/", import.meta.url);

export function ownFixture(registry: string, name: string): Buffer {
  return readFileSync(new URL(`${registry}/${name}`, OWN_FIXTURES));
}

export function ownFixtureNames(registry: string): string[] {
  return readdirSync(new URL(`${registry}/`, OWN_FIXTURES))
    .filter((f) => f.endsWith(".json"))
    .sort();
}

/** The shared corpus folder of a registry, or undefined when the corpus is not checked out here. */
export function sharedFixtureDir(registry: string): string | undefined {
  const dir = fileURLToPath(new URL(`${registry}/`, SHARED_FIXTURES));
  return existsSync(dir) ? dir : undefined;
}
