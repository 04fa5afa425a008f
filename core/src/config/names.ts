/** Names of projects and service accounts: what Kubernetes takes as a label value, lower-cased. */
export const RESOURCE_NAME = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;

export const RESOURCE_NAME_RULE =
  "1 to 63 lowercase letters, digits, '.', '_' or '-', starting and ending with a letter or digit";
