/**
 * Credentials checked against keys fetched from their issuer (Google's OIDC keys for Pub/Sub pushes).
 * When the keys cannot be had, the request is neither accepted nor refused: the handler answers 503
 * so the sender retries, rather than 401 for a request that may well be genuine.
 */
import { BosunError } from "@bosun/core";

export class KeysUnavailableError extends BosunError {
  constructor(message: string, options?: ErrorOptions) {
    super("KEYS_UNAVAILABLE", message, [], options);
    this.name = "KeysUnavailableError";
  }
}
