/**
 * Polls every watched registry: each repository on its own timer (interval plus a random part of
 * jitter), a catalog account's repository list refreshed on the account's interval. One process
 * scans a repository at a time, whatever shares the store: a scan takes the repository's lease,
 * kept for two intervals, so a process that died is replaced after that.
 */
import { hostname } from "node:os";
import { newId, type CredentialsReader, type ProjectConfig, type RegistryAccount } from "@bosun/core";
import type { Store } from "@bosun/store";
import type { RegistryClient } from "../client/client.js";
import { clientsOf } from "../client/clients.js";
import type { GateOptions } from "../client/gate.js";
import { scanRepository, type ScanResult } from "./scan.js";
import { fireEveryChange, type TagDecider } from "./tags.js";

export interface PollerOptions {
  store: Store;
  accounts: readonly RegistryAccount[];
  /** The projects now (the config may be reloaded). */
  projects: () => readonly ProjectConfig[];
  /** For accounts with `login: <project>`. */
  credentialsFor?: CredentialsReader;
  /** Names this process in leases. Default: host, pid and a random part. */
  owner?: string;
  decide?: TagDecider;
  fetch?: typeof fetch;
  /** Each registry's request budget and backoff. */
  gate?: GateOptions;
  onScan?: (result: ScanResult) => void;
  onError?: (err: unknown, where: { account: string; repository?: string }) => void;
  random?: () => number;
}

export interface ScanFailure {
  account: string;
  repository?: string;
  error: Error;
}

export type PollOutcome = ScanResult | ScanFailure;

export interface PollSelection {
  account?: string;
  repository?: string;
}

/** Past this, a lease is another's to take even when the interval is short. */
const MIN_LEASE_MS = 60_000;

export class Poller {
  readonly owner: string;
  readonly #options: PollerOptions;
  readonly #clients: Map<string, RegistryClient>;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  /** Per account and repository: the scan running, so two are never run at once here. */
  readonly #running = new Map<string, Promise<PollOutcome>>();
  readonly #leased = new Set<string>();
  #stopped = false;

  constructor(options: PollerOptions) {
    this.#options = options;
    this.owner = options.owner ?? `${hostname()}-${process.pid}-${newId().slice(-6)}`;
    this.#clients = clientsOf(options.accounts, options);
  }

  get accounts(): readonly RegistryAccount[] {
    return this.#options.accounts;
  }

  /** Starts the timers: each repository's first scan within its jitter. */
  start(): void {
    for (const account of this.#options.accounts) {
      if (account.catalog)
        this.#schedule(`catalog ${account.name}`, this.#jitter(account), () => this.#refreshCatalog(account));
      else
        for (const repository of account.repositories)
          this.#scheduleRepository(account, repository, this.#jitter(account));
    }
  }

  /** Stops the timers, waits for scans in flight, and gives up this process's leases. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled([...this.#running.values()]);
    await Promise.allSettled(
      [...this.#leased].map((key) => {
        const [account = "", repository = ""] = key.split("\0");
        return this.#options.store.watches.release(account, repository, this.owner);
      }),
    );
  }

  /** Scans now: every repository, one account's, or one repository of it. */
  async pollNow(selection: PollSelection = {}): Promise<PollOutcome[]> {
    const accounts = this.#options.accounts.filter(
      (a) => selection.account === undefined || a.name === selection.account,
    );
    const out: PollOutcome[] = [];
    for (const account of accounts) {
      let repositories: readonly string[];
      try {
        repositories =
          selection.repository !== undefined ? [selection.repository] : await this.#repositoriesOf(account);
      } catch (err) {
        out.push({ account: account.name, error: err as Error });
        continue;
      }
      for (const repository of repositories) out.push(await this.#scan(account, repository));
    }
    return out;
  }

  /** Logs in and lists what the account watches: the catalog's repositories, or the configured ones. */
  async check(name: string): Promise<{ repositories: string[] }> {
    const account = this.#options.accounts.find((a) => a.name === name);
    if (!account) throw new Error(`no watched registry is named "${name}"`);
    await this.#client(account).check();
    const repositories = await this.#repositoriesOf(account);
    // Each listed repository is readable with this account: its first page of tags.
    for (const repository of account.catalog ? [] : repositories)
      await this.#client(account).tags(repository);
    return { repositories: [...repositories] };
  }

  async #repositoriesOf(account: RegistryAccount): Promise<readonly string[]> {
    return account.catalog ? this.#client(account).catalog() : account.repositories;
  }

  #client(account: RegistryAccount): RegistryClient {
    return this.#clients.get(account.name)!;
  }

  #scan(account: RegistryAccount, repository: string): Promise<PollOutcome> {
    const key = `${account.name}\0${repository}`;
    const before = this.#running.get(key) ?? Promise.resolve(undefined);
    const run = before.then(async (): Promise<PollOutcome> => {
      try {
        const result = await scanRepository(
          {
            store: this.#options.store,
            client: this.#client(account),
            account,
            projects: this.#options.projects(),
            decide: this.#options.decide ?? fireEveryChange,
            owner: this.owner,
            leaseMs: Math.max(MIN_LEASE_MS, 2 * account.intervalMs),
          },
          repository,
        );
        if (!result.leased) this.#leased.add(key);
        this.#options.onScan?.(result);
        return result;
      } catch (err) {
        this.#options.onError?.(err, { account: account.name, repository });
        return { account: account.name, repository, error: err as Error };
      }
    });
    this.#running.set(key, run);
    void run.finally(() => {
      if (this.#running.get(key) === run) this.#running.delete(key);
    });
    return run;
  }

  #scheduleRepository(account: RegistryAccount, repository: string, delayMs: number): void {
    const key = `${account.name}\0${repository}`;
    this.#schedule(key, delayMs, async () => {
      await this.#scan(account, repository);
      if (!this.#timers.has(key) || this.#stopped) return;
      this.#scheduleRepository(account, repository, account.intervalMs + this.#jitter(account));
    });
  }

  async #refreshCatalog(account: RegistryAccount): Promise<void> {
    try {
      const listed = new Set(await this.#client(account).catalog());
      const prefix = `${account.name}\0`;
      for (const key of [...this.#timers.keys()]) {
        if (!key.startsWith(prefix) || listed.has(key.slice(prefix.length))) continue;
        clearTimeout(this.#timers.get(key));
        this.#timers.delete(key);
      }
      for (const repository of listed)
        if (!this.#timers.has(prefix + repository))
          this.#scheduleRepository(account, repository, this.#jitter(account));
    } catch (err) {
      this.#options.onError?.(err, { account: account.name });
    }
    if (!this.#stopped)
      this.#schedule(`catalog ${account.name}`, account.intervalMs + this.#jitter(account), () =>
        this.#refreshCatalog(account),
      );
  }

  #schedule(key: string, delayMs: number, work: () => Promise<void>): void {
    if (this.#stopped) return;
    const timer = setTimeout(() => void work(), delayMs);
    timer.unref();
    this.#timers.set(key, timer);
  }

  #jitter(account: RegistryAccount): number {
    return Math.floor((this.#options.random ?? Math.random)() * account.jitterMs);
  }
}
