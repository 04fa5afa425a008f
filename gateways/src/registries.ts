import type { RegistryKind } from "@bosun/core";
import { distribution } from "./distribution/gateway.js";
import { dockerHub } from "./dockerhub/gateway.js";
import type { RegistryGateway } from "./registry.js";

/** Every registry with a gateway, in the order they are documented. */
export const REGISTRIES: readonly RegistryGateway[] = [dockerHub, distribution];

export function registryFor(kind: RegistryKind | string): RegistryGateway | undefined {
  return REGISTRIES.find((gateway) => gateway.kind === kind);
}
