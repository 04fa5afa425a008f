/** A RegistryClient per account, with one gate per registry address: its rate limit is the registry's. */
import type { CredentialsReader, RegistryAccount } from "@bosun/core";
import { loginSource } from "../poller/logins.js";
import { RegistryClient } from "./client.js";
import { RequestGate, type GateOptions } from "./gate.js";

export interface ClientsOptions {
  /** For accounts with `login: <project>`. */
  credentialsFor?: CredentialsReader | undefined;
  fetch?: typeof fetch | undefined;
  gate?: GateOptions | undefined;
}

export function clientsOf(
  accounts: readonly RegistryAccount[],
  options: ClientsOptions,
): Map<string, RegistryClient> {
  const gates = new Map<string, RequestGate>();
  const clients = new Map<string, RegistryClient>();
  for (const account of accounts) {
    const gate = gates.get(account.address) ?? new RequestGate(options.gate);
    gates.set(account.address, gate);
    clients.set(
      account.name,
      new RegistryClient({
        address: account.address,
        insecure: account.insecure,
        login: loginSource(account, options.credentialsFor),
        gate,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    );
  }
  return clients;
}
