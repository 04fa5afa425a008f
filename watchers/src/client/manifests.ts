/** Manifest media types, and picking a platform's entry from a manifest list. */
import type { Platform } from "@bosun/core";

export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

/** What a manifest request accepts: lists first, as Docker's and containerd's clients send it. */
export const MANIFEST_ACCEPT = [OCI_INDEX, DOCKER_LIST, DOCKER_MANIFEST, OCI_MANIFEST].join(", ");

export function isList(mediaType: string | undefined): boolean {
  const type = mediaType?.split(";")[0]?.trim();
  return type === OCI_INDEX || type === DOCKER_LIST;
}

export interface ListEntry {
  digest: string;
  mediaType?: string;
}

/**
 * The entry for `platform` in a parsed manifest list: os and architecture equal, and the variant
 * when one is asked for. Undefined when the list has none (or is not a list).
 */
export function platformEntry(list: unknown, platform: Platform): ListEntry | undefined {
  const manifests = (list as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(manifests)) return undefined;
  for (const m of manifests as {
    digest?: unknown;
    mediaType?: unknown;
    platform?: Record<string, unknown>;
  }[]) {
    const p = m?.platform;
    if (typeof m?.digest !== "string" || !p) continue;
    if (p["os"] !== platform.os || p["architecture"] !== platform.architecture) continue;
    if (platform.variant !== undefined && p["variant"] !== platform.variant) continue;
    return typeof m.mediaType === "string"
      ? { digest: m.digest, mediaType: m.mediaType }
      : { digest: m.digest };
  }
  return undefined;
}
