/**
 * CNCF Distribution (registry:2) and GitLab's container registry have no API for notifications: they
 * are configuration. These render the exact configuration to paste, with the token in the endpoint's
 * Authorization header as the distribution gateway checks it (`Bearer <token>`). The text holds the
 * token: show it to the person who asked, never log it.
 */
import { stringify } from "yaml";
import type { WebhookSpec } from "../hooks/manager.js";
import { hookName } from "../hooks/spec.js";

export type PastedWebhookSpec = Pick<WebhookSpec, "url" | "secret" | "name">;

/** Delivery settings of Distribution's own example: give up on a request after 2 s, back off 1 s. */
const ENDPOINT_SETTINGS = { timeout: "2s", threshold: 5, backoff: "1s" } as const;

/** The `notifications` section of the registry's `config.yml`. */
export function distributionNotificationsYaml(spec: PastedWebhookSpec): string {
  return stringify({
    notifications: {
      endpoints: [
        {
          name: hookName(spec),
          url: spec.url,
          headers: { Authorization: [`Bearer ${spec.secret}`] },
          ...ENDPOINT_SETTINGS,
        },
      ],
    },
  });
}

/**
 * The same endpoint for a GitLab (Omnibus) installation's `/etc/gitlab/gitlab.rb`
 * (`registry['notifications']`), applied with `gitlab-ctl reconfigure`. Strings are single-quoted, in
 * which Ruby interpolates nothing (`#{...}` in a token stays text); only `\` and `'` are escaped.
 */
export function gitlabRegistryNotificationsRuby(spec: PastedWebhookSpec): string {
  const q = (value: string) => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return [
    "registry['notifications'] = [",
    "  {",
    `    'name' => ${q(hookName(spec))},`,
    `    'url' => ${q(spec.url)},`,
    `    'timeout' => ${q(ENDPOINT_SETTINGS.timeout)},`,
    `    'threshold' => ${ENDPOINT_SETTINGS.threshold},`,
    `    'backoff' => ${q(ENDPOINT_SETTINGS.backoff)},`,
    `    'headers' => { 'Authorization' => [${q(`Bearer ${spec.secret}`)}] }`,
    "  }",
    "]",
    "",
  ].join("\n");
}
