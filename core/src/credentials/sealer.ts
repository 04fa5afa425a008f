/**
 * Seals credential passwords with the operator's key: AES-256-GCM, a key derived from the operator's
 * passphrase with scrypt, and the record's identity (project, kind, target, username) as additional
 * authenticated data, so a sealed value copied onto another project's row, or edited, does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type BinaryLike } from "node:crypto";
import { BosunError, type ErrorCode } from "../errors.js";
import type { CredentialKind } from "./types.js";

/** Shortest passphrase accepted (credentials.keyFile or BOSUN_CREDENTIALS_KEY). */
export const MIN_CREDENTIALS_KEY_LENGTH = 16;

const VERSION = "v1";
// N = 2^15: ~50-100 ms once per salt, and a guessed passphrase costs an attacker as much. 128·N·r bytes of
// memory is exactly node's default maxmem, hence the explicit limit.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
/** Derived keys kept per salt; one salt per process that sealed, so a handful in practice. */
const MAX_CACHED_KEYS = 64;

/** What a sealed value is bound to: opening it under any other identity fails. */
export interface CredentialBinding {
  project: string;
  /** A login's kind, or "project" for the secrets of a project made through the API. */
  kind: CredentialKind | "project";
  target: string;
  username: string;
}

export type CredentialsErrorCode = Extract<ErrorCode, `CREDENTIALS_${string}`>;

/** A credential that cannot be sealed or opened; the message says what to do, never the secret. */
export class CredentialsError extends BosunError {
  constructor(code: CredentialsErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, [], options);
    this.name = "CredentialsError";
  }
}

export interface Sealer {
  /** `v1:salt:iv:tag:ciphertext`, each base64. */
  seal(binding: CredentialBinding, secret: string): Promise<string>;
  /** Throws CredentialsError (CREDENTIALS_UNREADABLE) for a wrong key, another binding, or damage. */
  open(binding: CredentialBinding, sealed: string): Promise<string>;
}

export function keyMissingError(doing: string): CredentialsError {
  return new CredentialsError(
    "CREDENTIALS_KEY_MISSING",
    `${doing} needs a credentials key, and this server has none: set credentials.keyFile in the config ` +
      `(a file holding at least ${MIN_CREDENTIALS_KEY_LENGTH} characters, e.g. made with ` +
      "`head -c 32 /dev/urandom | base64 > key`) or the BOSUN_CREDENTIALS_KEY environment variable, " +
      "then restart the server",
  );
}

/**
 * A sealer for the operator's passphrase. Each sealed value carries its own random salt (one per
 * sealer), so a precomputed dictionary for one install is useless against another, without a separate
 * salt to keep alongside the key.
 */
export function createSealer(passphrase: string): Sealer {
  const key = passphrase.trim();
  if (key.length < MIN_CREDENTIALS_KEY_LENGTH) {
    throw new CredentialsError(
      "CREDENTIALS_KEY_MISSING",
      `the credentials key is too short (${key.length} characters; at least ${MIN_CREDENTIALS_KEY_LENGTH} ` +
        "are needed): make one with `head -c 32 /dev/urandom | base64`",
    );
  }
  const derived = new Map<string, Promise<Buffer>>();
  const derive = (salt: Buffer): Promise<Buffer> => {
    const id = salt.toString("base64");
    let found = derived.get(id);
    if (!found) {
      if (derived.size >= MAX_CACHED_KEYS) derived.delete(derived.keys().next().value as string);
      found = scryptAsync(key, salt);
      derived.set(id, found);
    }
    return found;
  };
  const ownSalt = randomBytes(16);

  return {
    async seal(binding, secret) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", await derive(ownSalt), iv);
      cipher.setAAD(aad(binding));
      const ct = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
      const parts = [ownSalt, iv, cipher.getAuthTag(), ct].map((b) => b.toString("base64"));
      return [VERSION, ...parts].join(":");
    },

    async open(binding, sealed) {
      const parts = sealed.split(":");
      const [salt, iv, tag, ct] = parts.slice(1).map((p) => Buffer.from(p, "base64"));
      if (
        parts[0] !== VERSION ||
        parts.length !== 5 ||
        !salt ||
        !iv ||
        !tag ||
        !ct ||
        iv.length !== 12 ||
        tag.length !== 16
      ) {
        throw unreadable(binding, "it is not in a format this Bosun knows (damaged, or from a newer Bosun)");
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", await derive(salt), iv);
        decipher.setAAD(aad(binding));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ct), decipher.final()]).toString("utf8");
      } catch (err) {
        throw unreadable(
          binding,
          "the credentials key is not the one it was stored with (or the record was altered); " +
            "restore that key (credentials.keyFile or BOSUN_CREDENTIALS_KEY), or log in again",
          err,
        );
      }
    },
  };
}

function scryptAsync(key: BinaryLike, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(key, salt, 32, SCRYPT, (err, out) => (err ? reject(err) : resolve(out))),
  );
}

/** An unambiguous encoding of the binding (names cannot smuggle a separator into the next field). */
function aad(b: CredentialBinding): Buffer {
  return Buffer.from(JSON.stringify(["bosun-credential", VERSION, b.project, b.kind, b.target, b.username]));
}

function unreadable(b: CredentialBinding, why: string, cause?: unknown): CredentialsError {
  return new CredentialsError(
    "CREDENTIALS_UNREADABLE",
    `cannot read the ${b.kind} login for ${b.target} of project "${b.project}": ${why} ` +
      `(bosun login ${b.kind} --project ${b.project} ...)`,
    { cause },
  );
}
