/**
 * Pub/Sub push authentication: with it on, every push carries `Authorization: Bearer <JWT>`, an OpenID
 * Connect token Google signs (RS256) for the subscription's service account. It is valid when Google's
 * keys verify the signature, the issuer is Google's, the audience is the subscription's, the `email` is
 * the expected service account with `email_verified: true`, and it has not expired.
 */
import type { JWTVerifyGetKey } from "jose";
import { createRemoteJWKSet, errors, jwtVerify } from "jose";
import type { ProjectConfig } from "@bosun/core";
import { credentialsOf } from "../common/authorization.js";
import { singleHeader } from "../common/headers.js";
import { KeysUnavailableError } from "../common/keys.js";
import type { RequestHeaders } from "../registry.js";

export type PubSubPushAuth = NonNullable<ProjectConfig["pubsub"]>;

/** Google's OAuth 2.0 signing keys, as a JSON Web Key Set. */
export const GOOGLE_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs";
export const GOOGLE_ISSUERS = ["https://accounts.google.com", "accounts.google.com"];

/** Clocks of Google and of this server may differ this much. */
const CLOCK_TOLERANCE_SECONDS = 60;
/** Pub/Sub waits 10 s for an answer by default: give up on the keys well before. */
const DEFAULT_FETCH_TIMEOUT_MS = 5_000;

export interface PushTokenVerifierOptions {
  /** The JSON Web Key Set; default Google's. Keys are cached and fetched again when a token names an unknown one. */
  jwksUrl?: string | URL;
  fetchTimeoutMs?: number;
}

export type PushTokenVerifier = (headers: RequestHeaders, expected: PubSubPushAuth) => Promise<boolean>;

/**
 * Checks the bearer token of a push. Resolves false for a missing, malformed, forged, expired or
 * misdirected token; rejects with KeysUnavailableError when the keys to check it cannot be fetched.
 * The token itself never appears in an error.
 */
export function createPushTokenVerifier(options: PushTokenVerifierOptions = {}): PushTokenVerifier {
  const url = new URL(options.jwksUrl ?? GOOGLE_JWKS_URL);
  const remote = createRemoteJWKSet(url, {
    timeoutDuration: options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
  });
  // Only a key set that was fetched and holds no key for the token says the token is wrong; every
  // other failure of the key set (unreachable, not 200, not a key set, a key that cannot be used)
  // says nothing about the token.
  const keys: JWTVerifyGetKey = async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
        throw error;
      throw new KeysUnavailableError(
        `The keys of Pub/Sub push tokens could not be fetched from ${url.origin}.`,
        {
          cause: error,
        },
      );
    }
  };

  return async (headers, expected) => {
    const authorization = singleHeader(headers, "authorization");
    const token = credentialsOf(authorization, "Bearer");
    if (token === undefined) return false;
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: ["RS256"],
        issuer: GOOGLE_ISSUERS,
        audience: expected.audience,
        requiredClaims: ["exp", "iat", "email", "email_verified"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      const email = typeof payload.email === "string" ? payload.email.toLowerCase() : undefined;
      return email === expected.serviceAccount.toLowerCase() && payload.email_verified === true;
    } catch (error) {
      if (error instanceof KeysUnavailableError) throw error;
      return false;
    }
  };
}
