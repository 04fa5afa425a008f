import type { RegistryKind } from "@bosun/core";
import { acr } from "./acr/gateway.js";
import { distribution } from "./distribution/gateway.js";
import { dockerHub } from "./dockerhub/gateway.js";
import { ecr } from "./ecr/gateway.js";
import { gcr } from "./gcr/gateway.js";
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

export function registryFor(kind: RegistryKind | string): RegistryGateway | undefined {
  return REGISTRIES.find((gateway) => gateway.kind === kind);
}
