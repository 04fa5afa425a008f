/**
 * A project's webhook as the API shows it (`bosun project show`): `registered` with the registry's
 * hook id, `failed` with the registry's answer and when it is tried again, `pending` while the
 * project's current revision is not applied yet, or `not applicable` with the reason (and, for a
 * registry without a webhook API, the configuration to paste). Never a secret.
 */
import type { ProjectCatalog } from "./catalog.js";
import { planWebhook } from "./webhook-plan.js";
import type { WebhookState } from "./webhook-reconciler.js";

export type WebhookView =
  | { state: "not applicable"; reason: string; configuration?: string }
  | {
      state: "pending" | "registered" | "failed";
      registry: string;
      repository: string;
      url: string;
      /** The project revision the state is about. */
      revision?: number;
      hookId?: string;
      error?: { code: string; message: string };
      retryAt?: string;
      attempts?: number;
    };

export function webhookView(
  name: string,
  catalog: ProjectCatalog,
  stateOf: (project: string) => WebhookState | undefined,
  publicUrl: string | undefined,
): WebhookView {
  const project = catalog.apiProject(name);
  if (!project)
    return {
      state: "not applicable",
      reason: "a project of bosun.yaml: Bosun keeps webhooks for projects made through the API only",
    };
  const plan = planWebhook(project.config, project.settings, publicUrl);
  if (!plan.applies)
    return {
      state: "not applicable",
      reason: plan.reason,
      ...(plan.configuration ? { configuration: plan.configuration } : {}),
    };
  const where = { registry: plan.target.kind, repository: plan.target.repository, url: plan.target.url };
  const state = stateOf(name);
  if (!state || state.revision !== project.revision || state.createdAt !== project.createdAt)
    return { state: "pending", ...where };
  if (state.state === "registered")
    return {
      state: "registered",
      ...where,
      revision: state.revision,
      ...(state.hookId ? { hookId: state.hookId } : {}),
    };
  return {
    state: "failed",
    ...where,
    revision: state.revision,
    ...(state.error ? { error: state.error } : {}),
    ...(state.retryAt ? { retryAt: state.retryAt } : {}),
    attempts: state.attempts,
  };
}
