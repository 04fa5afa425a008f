/**
 * `bosun trigger`: builds the request a registry would send for a push, with the project's own token,
 * and hands it to the same delivery handler the webhook routes use: auth, parse, store, status.
 */
import { errorAnswer, handleDelivery, type Answer, type GatewayDependencies } from "@bosun/gateways";

export interface TriggerInput {
  project: string;
  registry: string;
  repository: string;
  tag: string;
}

export function createTrigger(
  deps: GatewayDependencies & { onAnswer?: (registry: string, answer: Answer) => void },
) {
  return async (input: TriggerInput): Promise<Answer> => {
    const gateway = deps.registries.find((g) => g.kind === input.registry);
    const project = deps.findProject(input.project);
    // The request names what the trigger cannot use: 400, whatever the code's own status (docs/errors.md).
    if (!gateway) {
      const known = deps.registries.map((g) => g.kind).join(", ");
      const message = `no gateway for "${input.registry}" here; one of: ${known}`;
      return { ...errorAnswer({ code: "NOT_FOUND", message }), status: 400 };
    }
    if (project && gateway.authenticator.withoutWebhookToken?.(project)) {
      const message =
        `project "${project.name}" takes ${gateway.title} pushes only as ${gateway.credentialHint}, ` +
        "which bosun trigger cannot make: trigger it through another registry it subscribes to, " +
        "or try its script with `bosun script run`";
      return { ...errorAnswer({ code: "UNAUTHORIZED", message }), status: 400 };
    }
    if (!project?.webhookToken) {
      const message = `no project "${input.project}" with a webhookToken to trigger`;
      return errorAnswer({ code: "NOT_FOUND", message });
    }
    const request = gateway.synthesize(
      { repository: input.repository, tag: input.tag, pusher: "bosun-trigger" },
      project.webhookToken,
    );
    const answer = await handleDelivery(deps, {
      registry: gateway.kind,
      project: project.name,
      head: { headers: request.headers, query: request.query },
      readBody: async () => ({ body: request.body }),
    });
    deps.onAnswer?.(gateway.kind, answer);
    return answer;
  };
}
