import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// Tests run compiled from gateways/dist/test/; fixtures stay in gateways/test/fixtures.
const OWN_FIXTURES = new URL("../../../test/fixtures/", import.meta.url);
// Real registry payloads, copied into the repository (fixtures/README.md says where each came from).
const REAL_FIXTURES = new URL("../../../../fixtures/registries/", import.meta.url);
// A larger collection of real payloads may sit next to the repository: <repo>/../shared/fixtures.
const SHARED_FIXTURES = new URL("../../../../../shared/fixtures/registries/", import.meta.url);

export function ownFixture(registry: string, name: string): Buffer {
  return readFileSync(new URL(`${registry}/${name}`, OWN_FIXTURES));
}

export function ownFixtureNames(registry: string): string[] {
  return readdirSync(new URL(`${registry}/`, OWN_FIXTURES))
    .filter((f) => f.endsWith(".json"))
    .sort();
}

/** A folder of real payloads: the repository's copies, or the collection beside the checkout. */
export interface RealPayloads {
  /** Where the folder is, as a reader of the test output would look for it. */
  label: string;
  dir: string;
  /** True for the repository's copies, which hold exactly the files their test knows. */
  copies: boolean;
}

/** The repository's copies of a registry's real payloads, then ../shared/fixtures' when it is there. */
export function realPayloads(registry: string): RealPayloads[] {
  const folders: RealPayloads[] = [
    {
      label: `fixtures/registries/${registry}`,
      dir: fileURLToPath(new URL(`${registry}/`, REAL_FIXTURES)),
      copies: true,
    },
  ];
  const shared = fileURLToPath(new URL(`${registry}/`, SHARED_FIXTURES));
  if (existsSync(shared))
    folders.push({ label: `../shared/fixtures/registries/${registry}`, dir: shared, copies: false });
  return folders;
}

/** Whether ../shared/fixtures sits beside the checkout, for a suite to say which payloads it tried. */
export function sharedFixturesPresent(): boolean {
  return existsSync(fileURLToPath(SHARED_FIXTURES));
}
