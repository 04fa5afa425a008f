/**
 * The one place that decides the answer to a registry's request, in this order: registry known (404),
 * project and credentials (401, identical for an unknown project; 503 when the keys that check them
 * cannot be fetched), content type (415), body size (413), payload (400), then storage: 2xx only once
 * the store has committed, 503 when it cannot.
 * Registries that sign the body are the exception in order only: their body is read (413) before
 * the signature is checked.
 * A request whose body reports more pushes than `maxEventsPerRequest` is refused whole (413), before any
 * is stored: one body must not fan out into thousands of events.
 * A client that goes away mid-body is not a fault: it is answered (to no one) as aborted, told to
 * onAborted, and not to onError.
 */
import { randomBytes } from "node:crypto";
import {
  type CompiledSubscription,
  type Problem,
  type ProjectConfig,
  type PushAdmission,
  compileSubscription,
  planPush,
} from "@bosun/core";
import type { Store } from "@bosun/store";
import type { ParsedDelivery, ParsedPush, RegistryGateway, RequestHead } from "../registry.js";
import {
  type Answer,
  bodyTooLarge,
  errorAnswer,
  failureAnswer,
  requestAborted,
  tooManyEvents,
  unauthorized,
  unknownRegistry,
} from "./answers.js";
import { type BodyRead, RequestAbortedError } from "./body.js";
import { contentTypeProblem } from "./content-type.js";
import { toNewEvents } from "./events.js";

/** Passed to onError: never the URL or headers, which carry the token. */
export interface GatewayErrorContext {
  registry: string;
  project: string;
  status: number;
}

export interface GatewayDependencies {
  store: Store;
  registries: readonly RegistryGateway[];
  findProject(name: string): ProjectConfig | undefined;
  bodyLimitBytes: number;
  /** Pushes one request may report; default DEFAULT_MAX_EVENTS_PER_REQUEST. */
  maxEventsPerRequest?: number | undefined;
  /** How long a digest-only push waits for its tagged one; default DIGEST_ONLY_HOLD_MS. */
  digestHoldMs?: number | undefined;
  /** Told about every 5xx answer, for logging. */
  onError?: ((error: unknown, context: GatewayErrorContext) => void) | undefined;
  /** Told about every client that went away before its body arrived (not an error of the gateway). */
  onAborted?: ((context: GatewayErrorContext) => void) | undefined;
}

export const DEFAULT_MAX_EVENTS_PER_REQUEST = 100;

export interface IncomingDelivery {
  registry: string;
  project: string;
  head: RequestHead;
  readBody(limitBytes: number): Promise<BodyRead>;
}

// Unknown projects, and projects without a token, are checked against this instead, so that they take
// as long as a wrong token and cannot be told apart from one.
const DECOY_SECRET = randomBytes(32).toString("hex");

export async function handleDelivery(deps: GatewayDependencies, incoming: IncomingDelivery): Promise<Answer> {
  try {
    return await decide(deps, incoming);
  } catch (error) {
    const context = { registry: incoming.registry, project: incoming.project };
    if (error instanceof RequestAbortedError) {
      const answer = requestAborted();
      deps.onAborted?.({ ...context, status: answer.status });
      return answer;
    }
    const answer = failureAnswer(error);
    deps.onError?.(error, { ...context, status: answer.status });
    return answer;
  }
}

async function decide(deps: GatewayDependencies, incoming: IncomingDelivery): Promise<Answer> {
  const gateway = deps.registries.find((g) => g.kind === incoming.registry);
  if (!gateway) return unknownRegistry(incoming.registry, deps.registries);

  const project = deps.findProject(incoming.project);
  const token = project?.webhookToken;
  const secret = token ? token : DECOY_SECRET;
  const { authenticator } = gateway;
  const limit = deps.bodyLimitBytes;

  // A project is open to no one until it has a token, or proves its requests another way.
  const credentialed =
    project !== undefined && (Boolean(token) || authenticator.withoutWebhookToken?.(project) === true);
  let body: Buffer | undefined;
  if (authenticator.reads === "head") {
    const passed = await authenticator.authenticate(incoming.head, secret, project);
    if (!passed || !credentialed || !project) return unauthorized(gateway);
  } else {
    const read = await incoming.readBody(limit);
    if (read.tooLarge) return bodyTooLarge(limit);
    body = read.body;
    const passed = await authenticator.authenticate({ ...incoming.head, body }, secret, project);
    if (!passed || !credentialed || !project) return unauthorized(gateway);
  }

  const wrongType = contentTypeProblem(gateway, incoming.head.headers);
  if (wrongType) return errorAnswer(wrongType);

  if (body === undefined) {
    const read = await incoming.readBody(limit);
    if (read.tooLarge) return bodyTooLarge(limit);
    body = read.body;
  }

  const parsed = gateway.parse({ ...incoming.head, body });
  if (parsed.errors) return errorAnswer(summarize(parsed.errors, gateway));
  const maxEvents = deps.maxEventsPerRequest ?? DEFAULT_MAX_EVENTS_PER_REQUEST;
  if (parsed.value.pushes.length > maxEvents) return tooManyEvents(maxEvents, parsed.value.pushes.length);
  const { pushes, admissions, ignored } = optIn(project, gateway, parsed.value);
  if (pushes.length === 0) {
    return { status: 200, body: { ...parsed.value.reply, accepted: [], ignored: ignored.length } };
  }

  // Rejections (STORE_UNAVAILABLE → 503, anything else → 500) are answered by handleDelivery.
  // A deletion is not a push a tag policy ranks: it is taken as its subscriptions' criteria say.
  const hold = deps.digestHoldMs === undefined ? {} : { holdMs: deps.digestHoldMs };
  const events = toNewEvents(gateway, project.name, body, pushes).map((e, i) => ({
    ...e,
    admission: e.type === "image_delete" ? { always: true, policies: [] } : { ...admissions[i]!, ...hold },
  }));
  const result = await deps.store.acceptEvents(events);
  // Pushes the store declined (a tag policy, a digest that came tagged) are answered like ignored
  // ones, with their reasons: the registry did nothing wrong.
  const declined = result.declined.map((d) => ({ ref: d.event.image?.ref ?? "", reason: d.reason }));
  const merged = [...new Set(result.merged.map((event) => event.id))];
  const stored = result.accepted.length + result.duplicates.length + merged.length > 0;
  return {
    status: stored ? 202 : 200,
    body: {
      accepted: result.accepted.map((event) => event.id),
      ...(merged.length > 0 ? { merged } : {}),
      ...(stored ? { duplicates: result.duplicates.length } : {}),
      ignored: ignored.length + declined.length,
      ...(declined.length > 0 ? { declined } : {}),
    },
  };
}

/** The first problem, saying how many more there are. */
function summarize(problems: readonly Problem[], gateway: RegistryGateway): Problem {
  const first = problems[0];
  if (!first) {
    return { code: "PAYLOAD_MALFORMED", message: `The body is not a ${gateway.title} payload.` };
  }
  const more = problems.length - 1;
  return more > 0
    ? { ...first, message: `${first.message} (and ${more} more problem${more > 1 ? "s" : ""})` }
    : first;
}

const compiled = new WeakMap<ProjectConfig, CompiledSubscription[]>();

interface OptedIn extends ParsedDelivery {
  /** What the subscriptions make of each of `pushes`, for the store to finish. */
  admissions: PushAdmission[];
}

/**
 * Keeps the pushes one of the project's subscriptions accepts (registry kind, repository and tag
 * criteria, a tag policy's filter); the others are answered as ignored: the registry did nothing
 * wrong, the project opted out. Whether a tag becomes a policy's best tag is the store's to decide.
 */
function optIn(project: ProjectConfig, gateway: RegistryGateway, delivery: ParsedDelivery): OptedIn {
  let subscriptions = compiled.get(project);
  if (!subscriptions) {
    subscriptions = project.subscriptions.map(compileSubscription);
    compiled.set(project, subscriptions);
  }
  const pushes: ParsedPush[] = [];
  const admissions: PushAdmission[] = [];
  const ignored = [...delivery.ignored];
  for (const push of delivery.pushes) {
    const { repository, tag } = push.image;
    const plan = planPush(subscriptions, { registry: gateway.kind, repository, tag });
    if ("admission" in plan) {
      pushes.push(push);
      admissions.push(plan.admission);
    } else
      ignored.push({
        path: "",
        reason: plan.reason ?? `no subscription of project "${project.name}" accepts ${push.image.ref}`,
      });
  }
  return { pushes, admissions, ignored };
}
