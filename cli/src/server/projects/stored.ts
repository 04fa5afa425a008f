/**
 * A project made through the API as the store keeps it: the block as given, without its secrets, and
 * the secrets (`secrets`, `webhookToken`) sealed with the credentials key, bound to the project's name.
 */
import {
  keyMissingError,
  parseProjectSpec,
  type ProjectConfig,
  type Result,
  type Sealer,
  type CredentialBinding,
} from "@bosun/core";
import type { ProjectWrite, StoredProject } from "@bosun/store";
import { splitSettings, type WebhookSettings } from "./webhook-settings.js";

/** The block as bosun.yaml would hold it (JSON), as it came through the API. */
export type ProjectBlock = Record<string, unknown> & { name: string };

interface Secrets {
  secrets?: Record<string, string>;
  webhookToken?: string;
}

const binding = (name: string): CredentialBinding => ({
  project: name,
  kind: "project",
  target: "secrets",
  username: "",
});

export function hasSecrets(block: Record<string, unknown>): boolean {
  const secrets = block.secrets;
  return (
    block.webhookToken !== undefined ||
    (secrets !== undefined && !(typeof secrets === "object" && secrets && Object.keys(secrets).length === 0))
  );
}

export async function toProjectWrite(block: ProjectBlock, sealer: Sealer | undefined): Promise<ProjectWrite> {
  const { secrets, webhookToken, ...rest } = block;
  const hidden: Secrets = {
    ...(secrets === undefined ? {} : { secrets: secrets as Record<string, string> }),
    ...(webhookToken === undefined ? {} : { webhookToken: webhookToken as string }),
  };
  let sealed = "";
  if (hasSecrets(block)) {
    if (!sealer) throw keyMissingError(`storing the secrets of project "${block.name}"`);
    sealed = await sealer.seal(binding(block.name), JSON.stringify(hidden));
  }
  return { name: block.name, spec: JSON.stringify(rest), sealed };
}

/** The block without secrets, as stored (for export and for an update that keeps the secrets). */
export function storedBlock(stored: StoredProject): ProjectBlock {
  return { ...(JSON.parse(stored.spec) as Record<string, unknown>), name: stored.name };
}

/** The block with its secrets opened: what an update starts from. */
export async function openBlock(stored: StoredProject, sealer: Sealer | undefined): Promise<ProjectBlock> {
  const block = storedBlock(stored);
  if (!stored.sealed) return block;
  if (!sealer) throw keyMissingError(`reading the secrets of project "${stored.name}"`);
  const secrets = JSON.parse(await sealer.open(binding(stored.name), stored.sealed)) as Secrets;
  return { ...block, ...secrets };
}

/** The project as the server runs it, and how its webhook is kept (the keys bosun.yaml has not). */
export async function toProjectConfig(
  stored: StoredProject,
  sealer: Sealer | undefined,
): Promise<Result<{ config: ProjectConfig; settings: WebhookSettings }>> {
  const split = splitSettings(await openBlock(stored, sealer));
  if (split.errors) return split;
  const parsed = parseProjectSpec(split.value.rest);
  return parsed.errors ? parsed : { value: { config: parsed.value, settings: split.value.settings } };
}
