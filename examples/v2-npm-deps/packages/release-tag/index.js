// The release a tag names, or undefined: "v1.2.3" and "1.2.3" are releases; "1.2.3-rc1", "latest" are not.
exports.releaseOf = function releaseOf(tag) {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(tag);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
};
