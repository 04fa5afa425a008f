/**
 * Core's PushVerifier over the Distribution API: a verified webhook's push is checked with one
 * manifest HEAD (a GET only for a manifest list) as the named account. A tag that is not there is a
 * refusal; a registry that cannot be reached, refuses the login or keeps answering 429 is
 * unreachable, so the event waits and is asked about again rather than dropped.
 */
import type { PushToVerify, PushVerdict, PushVerifier, RegistryAccount } from "@bosun/core";
import type { RegistryClient } from "../client/client.js";
import { clientsOf, type ClientsOptions } from "../client/clients.js";
import { RegistryError } from "../client/errors.js";

export class RegistryPushVerifier implements PushVerifier {
  readonly #accounts: ReadonlyMap<string, RegistryAccount>;
  readonly #clients: Map<string, RegistryClient>;

  constructor(accounts: readonly RegistryAccount[], options: ClientsOptions = {}) {
    this.#accounts = new Map(accounts.map((a) => [a.name, a]));
    this.#clients = clientsOf(accounts, options);
  }

  async verify(push: PushToVerify): Promise<PushVerdict> {
    const account = this.#accounts.get(push.account);
    const client = this.#clients.get(push.account);
    if (!account || !client) return { unreachable: `no watched registry is named "${push.account}"` };
    const reference = push.tag ?? push.claimed;
    if (reference === undefined) return { refused: "the webhook named neither a tag nor a digest" };
    const what = `${push.repository}${push.tag ? `:${push.tag}` : `@${reference}`}`;
    try {
      const found = await client.tagDigest(push.repository, reference, account.platform);
      if (!found) return { refused: `${what} does not exist at registry "${account.name}"` };
      // The manifest the tag names (a list's own digest), as webhooks name it; the platform's entry too.
      return { digest: found.listDigest ?? found.digest, platformDigest: found.digest };
    } catch (err) {
      if (err instanceof RegistryError && err.code === "REGISTRY_REPOSITORY_NOT_FOUND")
        return { refused: `${what} does not exist at registry "${account.name}"` };
      return { unreachable: err instanceof Error ? err.message : String(err) };
    }
  }
}
