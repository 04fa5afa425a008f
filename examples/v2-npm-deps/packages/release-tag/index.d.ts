export interface Release {
  major: number;
  minor: number;
  patch: number;
}
/** The release a tag names, or undefined: "v1.2.3" and "1.2.3" are releases; "1.2.3-rc1", "latest" are not. */
export function releaseOf(tag: string): Release | undefined;
