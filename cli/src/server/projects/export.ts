/**
 * `bosun project export`: an API-made project as the block to paste into bosun.yaml. Secret values are
 * never printed: each becomes `${env:PROJECT_NAME}`, and the answer lists the variables to set.
 */
import type { ProjectBlock } from "./stored.js";

export function exportBlock(
  block: ProjectBlock,
  secretNames: readonly string[],
  hasWebhookToken: boolean,
): { yaml: Record<string, unknown>; variables: string[] } {
  const prefix = block.name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
  const variable = (name: string) => `${prefix}_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
  const variables: string[] = [];
  const yaml: Record<string, unknown> = { ...block };
  if (secretNames.length > 0) {
    yaml.secrets = Object.fromEntries(
      secretNames.map((n) => {
        variables.push(variable(n));
        return [n, `\${env:${variable(n)}}`];
      }),
    );
  }
  if (hasWebhookToken) {
    variables.push(variable("webhook_token"));
    yaml.webhookToken = `\${env:${variable("webhook_token")}}`;
  }
  return { yaml, variables };
}
