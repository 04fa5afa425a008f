/** Which tags a scan looks at, and the seam where tag policies decide which changes fire. */

/** A tag that is new, or names another digest than when last recorded. */
export interface TagChange {
  tag: string;
  digest: string;
  mediaType?: string;
  /** The manifest list's own digest, when the tag names one. */
  listDigest?: string;
  /** The digest last recorded; absent for a new tag. */
  previous?: string;
}

export interface DecideContext {
  account: string;
  repository: string;
  /** The repository's first scan: nothing was recorded before. */
  firstScan: boolean;
  /** Every tag of the repository now, with the digest that counts. */
  current: ReadonlyMap<string, string>;
}

/**
 * Decides which of a scan's changes become events: the place for tag policies (orderings, one
 * event per digest). It may drop and reorder changes; what it returns is matched against the
 * subscriptions as a webhook's pushes are. Every change is recorded either way.
 */
export type TagDecider = (changes: readonly TagChange[], context: DecideContext) => readonly TagChange[];

export const fireEveryChange: TagDecider = (changes) => changes;

// cosign's signatures, attestations and SBOMs: tags named after the digest they are about.
const ARTIFACT_TAG = /^sha256-[0-9a-f]{64}\.(sig|att|sbom)$/;

/** Tags that are artifacts about an image rather than images: never read, recorded or fired. */
export function isArtifactTag(tag: string): boolean {
  return ARTIFACT_TAG.test(tag);
}
