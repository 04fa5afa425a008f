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
  type DeliveryLogConfig,
  type Problem,
  type ProjectConfig,
  type PushAdmission,
  compileSubscription,
  explainProject,
  planPush,
} from "@bosun/core";
import type { DeliveryIgnored, NewDelivery, Store } from "@bosun/store";
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
import { DEFAULT_DELIVERY_LOG, deliveryOf, imagesOf, parserIgnored } from "./delivery-log.js";
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
  /** The delivery log's bounds; default 10000 deliveries and 64 KiB of each body. */
  deliveryLog?: DeliveryLogConfig | undefined;
  /** Told about every 5xx answer, and every delivery that could not be recorded, for logging. */
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
  /** The recorded delivery this one sends again. */
  replayOf?: string | undefined;
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

  return (await decideAuthenticated(deps, gateway, project, incoming, body)).answer;
}

/** An answer, and the delivery recorded with it. */
interface Decision {
  answer: Answer;
  delivery?: string | undefined;
}

/**
 * Everything after authentication, recorded in the delivery log whatever the outcome; also where a
 * redelivery starts. `body` is given when authentication already read it.
 */
async function decideAuthenticated(
  deps: GatewayDependencies,
  gateway: RegistryGateway,
  project: ProjectConfig,
  incoming: IncomingDelivery,
  body: Buffer | undefined,
): Promise<Decision> {
  const log = deps.deliveryLog ?? DEFAULT_DELIVERY_LOG;
  const { headers } = incoming.head;
  const delivery = (read: Buffer | undefined) =>
    deliveryOf(log, gateway.kind, project.name, headers, read, incoming.replayOf);
  const reject = (answer: Answer, problem: Problem, recorded: NewDelivery): Promise<Decision> =>
    record(deps, answer, {
      ...recorded,
      outcome: "rejected",
      problem: { code: problem.code, message: problem.message },
    });

  const wrongType = contentTypeProblem(gateway, headers);
  if (wrongType) return reject(errorAnswer(wrongType), wrongType, delivery(body));

  if (body === undefined) {
    const read = await incoming.readBody(deps.bodyLimitBytes);
    if (read.tooLarge) {
      const answer = bodyTooLarge(deps.bodyLimitBytes);
      return reject(answer, problemOf(answer), { ...delivery(undefined), bodyTruncated: true });
    }
    body = read.body;
  }

  const parsed = gateway.parse({ ...incoming.head, body });
  if (parsed.errors) {
    const problem = summarize(parsed.errors, gateway);
    return reject(errorAnswer(problem), problem, delivery(body));
  }
  const recorded = { ...delivery(body), images: imagesOf(parsed.value.pushes) };
  const maxEvents = deps.maxEventsPerRequest ?? DEFAULT_MAX_EVENTS_PER_REQUEST;
  if (parsed.value.pushes.length > maxEvents) {
    const answer = tooManyEvents(maxEvents, parsed.value.pushes.length);
    return reject(answer, problemOf(answer), recorded);
  }
  const { pushes, admissions, ignored } = optIn(project, gateway, parsed.value);
  recorded.ignored = ignored;
  if (pushes.length === 0) {
    const answer = { status: 200, body: { ...parsed.value.reply, accepted: [], ignored: ignored.length } };
    return record(deps, answer, { ...recorded, outcome: "ignored" });
  }

  // Rejections (STORE_UNAVAILABLE → 503, anything else → 500) are answered by handleDelivery. The
  // delivery is recorded in the events' commit: on record exactly when they are.
  // The body as text once: the delivery's copy, when whole, is the events' payload.
  // A deletion is not a push a tag policy ranks: it is taken as its subscriptions' criteria say.
  const payload = recorded.bodyTruncated ? body.toString("utf8") : recorded.body;
  const hold = deps.digestHoldMs === undefined ? {} : { holdMs: deps.digestHoldMs };
  const events = toNewEvents(gateway, project.name, body, pushes, payload).map((e, i) => ({
    ...e,
    admission: e.type === "image_delete" ? { always: true, policies: [] } : { ...admissions[i]!, ...hold },
  }));
  const result = await deps.store.acceptEvents(events, recorded);
  // Pushes the store declined (a tag policy, a digest that came tagged) are answered like ignored
  // ones, with their reasons: the registry did nothing wrong.
  const declined = result.declined.map((d) => ({ ref: d.event.image?.ref ?? "", reason: d.reason }));
  const merged = [...new Set(result.merged.map((event) => event.id))];
  const stored = result.accepted.length + result.duplicates.length + merged.length > 0;
  return {
    answer: {
      status: stored ? 202 : 200,
      body: {
        accepted: result.accepted.map((event) => event.id),
        ...(merged.length > 0 ? { merged } : {}),
        ...(stored ? { duplicates: result.duplicates.length } : {}),
        ignored: ignored.length + declined.length,
        ...(declined.length > 0 ? { declined } : {}),
      },
    },
    delivery: result.recordedDelivery,
  };
}

/**
 * Records a delivery that stored nothing. The answer stands when the log cannot be written: the
 * registry did nothing wrong, and a 503 would only make it send the same again; onError hears of it.
 */
async function record(
  deps: GatewayDependencies,
  answer: Answer,
  delivery: NewDelivery & { outcome: "ignored" | "rejected" },
): Promise<Decision> {
  try {
    return { answer, delivery: (await deps.store.recordDelivery(delivery)).id };
  } catch (error) {
    deps.onError?.(error, { registry: delivery.registry, project: delivery.project, status: answer.status });
    return { answer };
  }
}

/** The problem an error answer carries. */
function problemOf(answer: Answer): Problem {
  return (answer.body as { error: Problem }).error;
}

/** A delivery from the log, sent again: the API's token authorised it, so no webhook credential is checked. */
export interface Redelivery {
  id: string;
  registry: string;
  project: string;
  headers: Readonly<Record<string, string>>;
  body: string;
}

/**
 * Runs a recorded delivery through parsing and matching again, as a new delivery with `replayOf`;
 * the project's subscriptions as they are now decide. Answers 404 when its registry or project is
 * gone; the answer's `delivery` is the new delivery's id.
 */
export async function redeliver(deps: GatewayDependencies, stored: Redelivery): Promise<Decision> {
  const gateway = deps.registries.find((g) => g.kind === stored.registry);
  if (!gateway) return { answer: unknownRegistry(stored.registry, deps.registries) };
  const project = deps.findProject(stored.project);
  if (!project)
    return {
      answer: errorAnswer({
        code: "NOT_FOUND",
        message: `No project ${JSON.stringify(stored.project)} is configured.`,
      }),
    };
  const body = Buffer.from(stored.body, "utf8");
  const incoming: IncomingDelivery = {
    registry: stored.registry,
    project: stored.project,
    head: { headers: stored.headers, query: new URLSearchParams() },
    readBody: () => Promise.resolve({ body }),
    replayOf: stored.id,
  };
  try {
    return await decideAuthenticated(deps, gateway, project, incoming, body);
  } catch (error) {
    const answer = failureAnswer(error);
    deps.onError?.(error, { registry: stored.registry, project: stored.project, status: answer.status });
    return { answer };
  }
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

function subscriptionsOf(project: ProjectConfig): CompiledSubscription[] {
  let subscriptions = compiled.get(project);
  if (!subscriptions) {
    subscriptions = project.subscriptions.map(compileSubscription);
    compiled.set(project, subscriptions);
  }
  return subscriptions;
}

/**
 * Keeps the pushes one of the project's subscriptions accepts (registry kind, repository and tag
 * criteria, a tag policy's filter), with what the subscriptions make of each for the store to finish
 * (whether a tag becomes a policy's best tag is the store's to decide); the others are answered as
 * ignored, each with every subscription's reason: the registry did nothing wrong, the project opted out.
 */
function optIn(
  project: ProjectConfig,
  gateway: RegistryGateway,
  delivery: ParsedDelivery,
): { pushes: ParsedPush[]; admissions: PushAdmission[]; ignored: DeliveryIgnored[] } {
  const subscriptions = subscriptionsOf(project);
  // A project that also polls may see this push again by its poll: the store makes that one run.
  const polled = subscriptions.some((s) => s.registry === "poll");
  const pushes: ParsedPush[] = [];
  const admissions: PushAdmission[] = [];
  const ignored = parserIgnored(delivery.ignored);
  for (const push of delivery.pushes) {
    const { repository, tag } = push.image;
    const candidate = { registry: gateway.kind, repository, tag };
    const plan = planPush(subscriptions, candidate);
    if ("admission" in plan) {
      pushes.push(push);
      admissions.push(polled ? { ...plan.admission, heardAndPolled: true } : plan.admission);
      // Reasons are written only for a push nothing takes: the common case costs no words.
    } else ignored.push({ what: push.image.ref, reasons: explainProject(subscriptions, candidate).reasons });
  }
  return { pushes, admissions, ignored };
}
