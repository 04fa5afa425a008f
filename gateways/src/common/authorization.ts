/**
 * The credentials of an Authorization header in one scheme: `Bearer abc` → `abc`. The scheme is
 * case-insensitive (RFC 9110 §11.1: `bearer`, `BASIC` are the same schemes) and is followed by at
 * least one space or tab. Plain string operations, so the time is linear in the header whatever it holds.
 * Undefined when the header is absent, in another scheme, or has no credentials.
 */
export function credentialsOf(header: string | undefined, scheme: string): string | undefined {
  if (header === undefined || header.length <= scheme.length) return undefined;
  if (header.slice(0, scheme.length).toLowerCase() !== scheme.toLowerCase()) return undefined;
  const separator = header[scheme.length];
  if (separator !== " " && separator !== "\t") return undefined;
  const credentials = header.slice(scheme.length).trimStart();
  return credentials === "" ? undefined : credentials;
}
