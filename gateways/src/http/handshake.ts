/**
 * The CloudEvents 1.0 webhook abuse-protection handshake: before delivering, the sender asks with
 * `OPTIONS` and `WebHook-Request-Origin: <its DNS name>` whether it may post here, and the target
 * consents by echoing the origin in `WebHook-Allowed-Origin`. Azure Event Grid does this for every
 * subscription using the CloudEvents schema. The answer is the same for every project, so it tells
 * nobody which projects exist; the deliveries that follow are authenticated as usual.
 */
import { singleHeader } from "../common/headers.js";
import type { RegistryGateway, RequestHeaders } from "../registry.js";
import type { Answer } from "./answers.js";
import { errorAnswer } from "./answers.js";

// A DNS name such as eventgrid.azure.net; anything else is not echoed back.
const ORIGIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** The answer to `OPTIONS /events/<registry>/<project>` for a registry that sends the handshake. */
export function webhookHandshakeAnswer(gateway: RegistryGateway, headers: RequestHeaders): Answer {
  const allow = { Allow: "POST, OPTIONS" };
  const origin = singleHeader(headers, "webhook-request-origin")?.trim();
  if (origin === undefined || !ORIGIN.test(origin)) {
    return errorAnswer(
      {
        code: "PAYLOAD_MALFORMED",
        message: `${gateway.title} webhook handshakes name their sender in WebHook-Request-Origin.`,
        path: "WebHook-Request-Origin",
        expected: "a DNS name, e.g. eventgrid.azure.net",
        found: origin === undefined ? "nothing (absent)" : JSON.stringify(origin.slice(0, 60)),
      },
      allow,
    );
  }
  return {
    status: 200,
    headers: { ...allow, "WebHook-Allowed-Origin": origin, "WebHook-Allowed-Rate": "*" },
    body: {},
  };
}
