import type { RegistryKind } from "@bosun/core";
import { acr } from "./acr/gateway.js";
import { distribution } from "./distribution/gateway.js";
import { dockerHub } from "./dockerhub/gateway.js";
import { ecr } from "./ecr/gateway.js";
import { createGcrGateway, gcr } from "./gcr/gateway.js";
import { ghcr } from "./ghcr/gateway.js";
import { harbor } from "./harbor/gateway.js";
import { jfrog } from "./jfrog/gateway.js";
import { quay } from "./quay/gateway.js";
import type { RegistryGateway } from "./registry.js";

/** Every registry with a gateway, in the order they are documented. */
export const REGISTRIES: readonly RegistryGateway[] = [
  dockerHub,
  acr,
  quay,
  harbor,
  ghcr,
  gcr,
  ecr,
  distribution,
  jfrog,
];

export interface RegistryOptions {
  /** Where the gcr gateway fetches the keys of Pub/Sub push tokens (server.pubsubJwksUrl); default Google's. */
  pubsubJwksUrl?: string | undefined;
}

/** Every registry, as REGISTRIES, set up with a server's settings. */
export function createRegistries(options: RegistryOptions = {}): RegistryGateway[] {
  const { pubsubJwksUrl } = options;
  if (pubsubJwksUrl === undefined) return [...REGISTRIES];
  const configuredGcr = createGcrGateway({ jwksUrl: pubsubJwksUrl });
  return REGISTRIES.map((gateway) => (gateway.kind === "gcr" ? configuredGcr : gateway));
}

export function registryFor(kind: RegistryKind | string): RegistryGateway | undefined {
  return REGISTRIES.find((gateway) => gateway.kind === kind);
}
