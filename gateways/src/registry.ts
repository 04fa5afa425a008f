/**
 * The plug-in a registry implements: how its requests are authenticated and how its payloads become
 * pushes. Everything here is pure (no I/O, no clock, no throw), but for credentials checked against
 * keys their issuer publishes (Pub/Sub's OIDC tokens), whose check may fetch the keys; the HTTP handler
 * in `http/` owns reading, limits, status codes and storage, so every registry answers the same way.
 */
import type { EventType, ImageRef, ProjectConfig, RegistryKind, Result } from "@bosun/core";

/** Header names are lower case, as Node delivers them. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** What is known before the body is read. */
export interface RequestHead {
  headers: RequestHeaders;
  query: URLSearchParams;
}

export interface RequestWithBody extends RequestHead {
  /** The body exactly as received, within the body limit. */
  body: Buffer;
}

/**
 * How a registry proves a request comes from it, given the project's `webhookToken` (`secret`; a random
 * decoy for an unknown project or one without a token) and the project (undefined when unknown).
 * A token in the query or a header is checked before the body is read; a signature over the raw body
 * (GHCR's X-Hub-Signature-256, JFrog's signed X-JFrog-Event-Auth) after it is read within the limit.
 * A check that needs keys fetched from their issuer (Pub/Sub's OIDC token) returns a promise, which
 * rejects with KeysUnavailableError when the keys cannot be had (answered 503, never 401).
 */
export type Authenticator =
  | (AuthenticatorOptions & {
      readonly reads: "head";
      authenticate(request: RequestHead, secret: string, project?: ProjectConfig): boolean | Promise<boolean>;
    })
  | (AuthenticatorOptions & {
      readonly reads: "body";
      authenticate(
        request: RequestWithBody,
        secret: string,
        project?: ProjectConfig,
      ): boolean | Promise<boolean>;
    });

interface AuthenticatorOptions {
  /**
   * Whether this project's requests are proven by other means than its webhookToken, so that it needs
   * none (gcr with `pubsub` settings: Google's OIDC token). Absent: every project needs a webhookToken.
   */
  withoutWebhookToken?(project: ProjectConfig): boolean;
}

/** One image pushed (or deleted) as reported by the registry. */
export interface ParsedPush {
  type: EventType;
  image: ImageRef;
  /**
   * The registry's own id for this push, read from the body (Distribution's event `id`, a Pub/Sub
   * messageId), unique per push within the request; never from a header, which credentials checked
   * on the body do not cover. Absent, or for a registry that signs the body: the handler derives one
   * from the body and the image, so a redelivery of the same body is still stored once.
   */
  deliveryId?: string;
}

/** Something in the request that is deliberately not an event: a layer blob, a pull, a ping. */
export interface IgnoredItem {
  /** Where in the payload, e.g. "events[1]"; empty for the whole request. */
  path: string;
  reason: string;
}

export interface ParsedDelivery {
  pushes: ParsedPush[];
  ignored: IgnoredItem[];
  /**
   * Fields the registry needs back in the body of the 200 answer to a request with no pushes: Event
   * Grid's subscription validation is complete only when its code is echoed as `validationResponse`.
   */
  reply?: Readonly<Record<string, string>>;
}

export interface RegistryGateway {
  readonly kind: RegistryKind;
  /** For people: "Docker Hub". */
  readonly title: string;
  /** Accepted media types, lower case, without parameters. */
  readonly contentTypes: readonly string[];
  /** Whether a request without a Content-Type is read as the first of `contentTypes`. */
  readonly contentTypeOptional: boolean;
  readonly authenticator: Authenticator;
  /** Where the project's webhookToken goes, for the 401 message: "the access_token query parameter". */
  readonly credentialHint: string;
  /**
   * Whether `OPTIONS` with `WebHook-Request-Origin` (the CloudEvents webhook abuse-protection
   * handshake, which Event Grid sends before delivering CloudEvents) is answered with consent.
   */
  readonly answersWebhookHandshake?: boolean;
  /** A `WWW-Authenticate` challenge for the 401, for senders that send credentials only when asked. */
  readonly authenticationChallenge?: string;
  /**
   * Turns one request into the pushes it reports. Never throws: a body that is not what this registry
   * sends yields `errors` (PAYLOAD_MALFORMED, or PAYLOAD_UNSUPPORTED for a known shape that is not a push).
   */
  parse(request: RequestWithBody): Result<ParsedDelivery>;
  /**
   * Builds the request this registry would send for a push, credentials placed as it places them:
   * `bosun trigger` and the benchmarks send it through the real handler.
   */
  synthesize(push: SyntheticPush, secret: string): RequestWithBody;
}

export interface SyntheticPush {
  repository: string;
  tag: string;
  /** Registry host, for registries whose payload names it. */
  host?: string;
  pusher?: string;
}
