/**
 * Brigade's job-name rule, kept so names work as container and pod names (63 characters: a Kubernetes
 * label value). The SDK checks it when a Job is made; the host checks it again on every request.
 */
export const MAX_JOB_NAME = 63;

// Linear time: one character run between anchored ends, no nested or overlapping quantifiers.
const JOB_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export function isJobName(name: unknown): boolean {
  return typeof name === "string" && name.length <= MAX_JOB_NAME && JOB_NAME.test(name);
}

export const JOB_NAME_RULE = `up to ${MAX_JOB_NAME} letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
