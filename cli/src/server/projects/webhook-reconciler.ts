/**
 * Keeps the webhooks of projects made through the API on their registries, in the background of the
 * server: the API answers once a project is stored, and this applies it. On each tick (and when this
 * process changed a project) it compares every project's plan (webhook-plan.ts) with the state in the
 * store, and for each that needs work takes the project's lease in the store, so that one replica at a
 * time speaks to the registry for it: the hook is ensured (created, found again by URL, updated),
 * removed when the project no longer wants it, and the outcome recorded where every replica reads it.
 * A failure is tried again after 1 s, doubling to 5 min, or after the registry's Retry-After.
 */
import { randomUUID } from "node:crypto";
import { BosunError, keyMissingError, ownerKey, type Sealer } from "@bosun/core";
import { webhookManagerFor, WebhookError, type WebhookLogin, type WebhookManager } from "@bosun/gateways";
import type { CredentialStore, WebhookStore } from "@bosun/store";
import type { Logger } from "../logger.js";
import type { ApiProject, ProjectCatalog } from "./catalog.js";
import { planWebhook, sameTarget, type HookTarget } from "./webhook-plan.js";

/** What the store keeps for a project (as JSON). */
export interface WebhookState {
  state: "registered" | "failed";
  /** The project revision it is about, and when that project was made (ApiProject.createdAt). */
  revision: number;
  createdAt?: string;
  hookId?: string;
  /** The registry's answer (or why Bosun could not ask), never a secret. */
  error?: { code: string; message: string };
  retryAt?: string;
  attempts: number;
  /** The hook on the registry as last applied: what to update or remove later. */
  applied?: HookTarget & { owner: string };
}

export const TICK_MS = 1_000;
const LEASE_MS = 120_000;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 5 * 60_000;

export interface ReconcilerOptions {
  catalog: ProjectCatalog;
  store: WebhookStore;
  credentials: CredentialStore | undefined;
  sealer: Sealer | undefined;
  publicUrl: string | undefined;
  logger: Logger;
  tickMs?: number;
}

export class WebhookReconciler {
  readonly #owner = `webhooks-${randomUUID()}`;
  /** Projects whose hook this process has looked at on the registry since it started. */
  readonly #verified = new Map<string, number>();
  #states = new Map<string, WebhookState>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(private readonly options: ReconcilerOptions) {}

  /** The last state read from (or written to) the store. */
  stateOf(project: string): WebhookState | undefined {
    return this.#states.get(project);
  }

  start(): void {
    this.kick();
    this.#timer = setInterval(() => this.kick(), this.options.tickMs ?? TICK_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Looks now (after a change made here), or once more after the pass in progress. */
  kick(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#pass()
      .catch((err: Error) =>
        this.options.logger.warn({ error: err.message }, "webhooks: cannot read their state; trying again"),
      )
      .finally(() => {
        this.#running = undefined;
        if (this.#again && this.#timer) {
          this.#again = false;
          this.kick();
        }
      });
  }

  async #pass(): Promise<void> {
    const { catalog } = this.options;
    const states = await this.#read();
    const projects = catalog.apiProjects();
    for (const name of new Set([...projects.keys(), ...states.keys()])) {
      // Before the catalog's first read every project would look removed; a project the store holds
      // but this server cannot use now (or bosun.yaml hides) keeps its hook.
      if (!projects.has(name) && catalog.isStored(name) !== false) continue;
      if (!this.#due(projects.get(name), states.get(name))) continue;
      if (!(await this.options.store.lease(name, this.#owner, LEASE_MS))) continue;
      try {
        // Read again under the lease, the projects too: another replica may have done it since, or
        // changed the project after this one's catalog last read it.
        await catalog.refresh();
        const current = (await this.#read()).get(name);
        const project = catalog.apiProjects().get(name);
        if (!project && catalog.isStored(name) !== false) continue;
        if (this.#due(project, current)) await this.#apply(name, project, current);
      } finally {
        await this.options.store.release(name, this.#owner);
      }
    }
  }

  async #read(): Promise<Map<string, WebhookState>> {
    const records = await this.options.store.list();
    this.#states = new Map(
      records.flatMap((r) =>
        r.state === undefined ? [] : [[r.project, JSON.parse(r.state) as WebhookState]],
      ),
    );
    return this.#states;
  }

  #plan(project: ApiProject | undefined) {
    if (!project) return undefined;
    const plan = planWebhook(project.config, project.settings, this.options.publicUrl);
    return plan.applies ? plan.target : undefined;
  }

  #due(project: ApiProject | undefined, state: WebhookState | undefined): boolean {
    const target = this.#plan(project);
    const waiting = state?.retryAt !== undefined && Date.parse(state.retryAt) > Date.now();
    if (!target) return state !== undefined && !waiting;
    // A revision newer than this process's catalog knows was applied elsewhere: this one waits for
    // its catalog rather than put the older settings back.
    if (state?.createdAt === project!.createdAt && state.revision > project!.revision) return false;
    if (!state || state.revision !== project!.revision || state.createdAt !== project!.createdAt) return true;
    if (state.state === "failed") return !waiting;
    return this.#verified.get(project!.config.name) !== project!.revision;
  }

  async #apply(
    name: string,
    project: ApiProject | undefined,
    state: WebhookState | undefined,
  ): Promise<void> {
    const target = this.#plan(project);
    const revision = project?.revision ?? state?.revision ?? 0;
    const createdAt = project?.createdAt ?? state?.createdAt;
    const made = createdAt === undefined ? {} : { createdAt };
    let applied = state?.applied;
    try {
      if (applied && (!target || !sameTarget(applied, target))) {
        const removed = await (await this.#manager(applied, applied.owner)).remove(applied);
        this.options.logger.info(
          { project: name, registry: applied.kind, repository: applied.repository, removed },
          removed ? "webhook removed from the registry" : "webhook was already gone from the registry",
        );
        applied = undefined;
      }
      if (!target || !project) {
        await this.options.store.forget(name, this.#owner);
        this.#states.delete(name);
        this.#verified.delete(name);
        return;
      }
      const owner = await this.#ownerOf(project, target.registry);
      const manager = await this.#manager(target, owner);
      const rotated = state !== undefined && state.revision !== revision && !manager.secretVisible;
      const result = await manager.ensure({
        repository: target.repository,
        url: target.url,
        secret: project.config.webhookToken ?? "",
        events: ["image_push"],
        rotate: rotated,
      });
      this.options.logger.info(
        {
          project: name,
          registry: target.kind,
          repository: target.repository,
          hook: result.id,
          change: result.state,
        },
        `webhook ${result.state} on the registry`,
      );
      await this.#record(name, {
        state: "registered",
        revision,
        ...made,
        hookId: result.id,
        attempts: 0,
        applied: { ...target, owner },
      });
      this.#verified.set(name, revision);
    } catch (err) {
      const attempts =
        (state?.revision === revision && state.createdAt === createdAt ? state.attempts : 0) + 1;
      const backoff = Math.min(FIRST_RETRY_MS * 2 ** (attempts - 1), MAX_RETRY_MS);
      const asked = err instanceof WebhookError ? (err.retryAfterSeconds ?? 0) * 1000 : 0;
      const retryAt = new Date(Date.now() + Math.max(backoff, asked)).toISOString();
      const error = {
        code: err instanceof BosunError ? err.code : "INTERNAL",
        message: err instanceof BosunError ? err.message : "an internal error (see the server's log)",
      };
      if (!(err instanceof BosunError))
        this.options.logger.error({ err, project: name }, "webhooks: internal error");
      this.options.logger.warn(
        { project: name, code: error.code, error: error.message, retryAt },
        "webhook: cannot apply it; trying again",
      );
      await this.#record(name, {
        state: "failed",
        revision,
        ...made,
        error,
        retryAt,
        attempts,
        ...(applied ? { applied } : {}),
      });
    }
  }

  async #record(name: string, state: WebhookState): Promise<void> {
    if (await this.options.store.record(name, this.#owner, JSON.stringify(state)))
      this.#states.set(name, state);
  }

  /** The owner of the login: the project's own takes the place of its service account's, as for pulls. */
  async #ownerOf(project: ApiProject, registry: string): Promise<string> {
    const { credentials } = this.options;
    const account = project.config.serviceAccount;
    const owners = [project.config.name, ...(account ? [ownerKey({ serviceAccount: account })] : [])];
    for (const owner of owners) {
      const logins = (await credentials?.list(owner)) ?? [];
      if (logins.some((l) => l.kind === "docker" && l.target === registry)) return owner;
    }
    throw new BosunError(
      "CREDENTIALS_LOGIN_NOT_FOUND",
      `no docker login for ${registry} of project ${project.config.name}${account ? ` or service account ${account}` : ""}: ` +
        "store it with bosun login docker, or change --image-repository-secret",
    );
  }

  async #manager(target: HookTarget, owner: string): Promise<WebhookManager> {
    const { credentials, sealer } = this.options;
    const sealed = (await credentials?.sealedFor(owner))?.find(
      (c) => c.kind === "docker" && c.target === target.registry,
    );
    if (sealed && !sealer)
      throw keyMissingError(`opening the login that manages the webhook on ${target.registry}`);
    if (!sealed || !sealer)
      throw new BosunError(
        "CREDENTIALS_LOGIN_NOT_FOUND",
        `the docker login for ${target.registry} that manages this webhook is gone: store it again with bosun login docker`,
      );
    const password = await sealer.open(sealed, sealed.sealed);
    return webhookManagerFor(loginOf(target, sealed.username, password));
  }
}

/** A registry login as its client takes it: a username and password, or the password as a token. */
function loginOf(target: HookTarget, username: string, password: string): WebhookLogin {
  switch (target.kind) {
    case "harbor":
      return { kind: "harbor", url: target.api, username, password };
    case "dockerhub":
      return { kind: "dockerhub", url: target.api, username, password };
    case "quay":
      return { kind: "quay", url: target.api, token: password };
    case "jfrog":
      return { kind: "jfrog", url: target.api, token: password };
    case "ghcr":
      return { kind: "ghcr", url: target.api, token: password };
  }
}
