/**
 * WWW-Authenticate challenges (RFC 9110 §11.6.1) as registries send them:
 * `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull"`
 * or `Basic realm="Registry Realm"`. Only what a registry client needs: the scheme and its parameters.
 */

export interface Challenge {
  /** Lowercase: "basic", "bearer". */
  scheme: string;
  /** Parameter names lowercase; quoted values unquoted. */
  params: Record<string, string>;
}

// token68 is not used by registries; parameters are name=token or name="quoted string".
const SCHEME = /^\s*,?\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)/;
const PARAM = /^\s*,?\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))/;

/** Every challenge in the header, in order; an unparseable rest is left out. */
export function parseChallenges(header: string | null): Challenge[] {
  const out: Challenge[] = [];
  let rest = header ?? "";
  while (rest.trim() !== "") {
    const scheme = SCHEME.exec(rest);
    if (!scheme) break;
    rest = rest.slice(scheme[0].length);
    const challenge: Challenge = { scheme: scheme[1]!.toLowerCase(), params: {} };
    for (;;) {
      const param = PARAM.exec(rest);
      if (!param) break;
      challenge.params[param[1]!.toLowerCase()] = param[2]?.replace(/\\(.)/g, "$1") ?? param[3] ?? "";
      rest = rest.slice(param[0].length);
    }
    out.push(challenge);
  }
  return out;
}
