/**
 * Tags that are not images people push but artifacts attached to an image by digest: cosign's
 * signatures, attestations and SBOMs (`sha256-<hex>.sig`, `.att`, `.sbom`), and the OCI referrers
 * fallback tag (`sha256-<hex>`, Distribution spec 1.1). Each accompanies an ordinary push, so a
 * subscription skips them unless it asks for them (`signatureTags: true`).
 */
const ARTIFACT_TAG = /^sha256-[0-9a-f]{64}(?:\.(sig|att|sbom))?$/;

const KINDS: Record<string, string> = { sig: "signature", att: "attestation", sbom: "SBOM" };

/** What the tag is ("signature", "attestation", "SBOM", "referrers"), or undefined for an ordinary tag. */
export function artifactTagKind(tag: string | undefined): string | undefined {
  const match = tag === undefined ? null : ARTIFACT_TAG.exec(tag);
  if (!match) return undefined;
  const suffix = match[1];
  return suffix === undefined ? "referrers" : KINDS[suffix];
}
