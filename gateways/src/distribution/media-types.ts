/** Media types in Distribution notifications. */

/** Envelope content types: registry 2.x sends v1, registry 3 sends v2; proxies may say plain JSON. */
export const ENVELOPE_CONTENT_TYPES = [
  "application/vnd.docker.distribution.events.v1+json",
  "application/vnd.docker.distribution.events.v2+json",
  "application/json",
] as const;

/**
 * Manifests, i.e. pushes of something that can be pulled by tag or digest. Everything else in a push
 * event is a blob (layer or config) and is not an image. Schema 1 is kept for old registries.
 */
export const MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set([
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v1+prettyjws",
]);
