/**
 * The project block `bosun project add|update` sends, from its options: Dispatch's
 * (`--image-repository`, `--dispatchfile-repository`, `--service-account`, `--log-storage-rules`,
 * `--timeout`, `--image-repository-secret`, `--url`, ...) and Bosun's own (`--script`, `--registry`, `--tag`, `--executor`, ...), over an
 * optional `--spec` file holding the block as bosun.yaml would. Errors name the option.
 */
import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { parse } from "yaml";
import { CommandError } from "./common.js";

export interface BlockOptions {
  spec?: string;
  script?: string;
  registry: string[];
  repository: string[];
  imageRepository: string[];
  tag: string[];
  dispatchfileRepository?: string;
  dispatchfilePath?: string;
  dispatchfileRevision?: string;
  serviceAccount?: string;
  logStorageRules?: string;
  timeout?: string;
  executor?: string;
  concurrency?: string;
  webhookTokenFile?: string;
  imageRepositorySecret?: string;
  imageRepositoryApi?: string;
  url?: string;
  dispatchfileRepositoryScmSecret?: string;
}

/** A subscription as the API shows it. */
export interface ShownSubscription {
  registry: string;
  repositories: string[];
  tags: string[];
}

/**
 * The block for `name`. For an update, `current` is the project's subscriptions: `--tag` or
 * `--image-repository` alone change those of every subscription it has, `--registry` its registries.
 */
export async function projectBlock(
  name: string,
  o: BlockOptions,
  current?: readonly ShownSubscription[],
): Promise<Record<string, unknown>> {
  const block: Record<string, unknown> = { ...(o.spec ? await specFile(o.spec) : {}), name };
  if (o.script !== undefined) block.script = isAbsolute(o.script) ? o.script : resolve(o.script);
  if (o.dispatchfileRepository !== undefined) {
    block.dispatchfile = {
      git: {
        url: o.dispatchfileRepository,
        revision: o.dispatchfileRevision ?? "main",
        path: o.dispatchfilePath ?? "Dispatchfile",
      },
    };
  } else if (o.dispatchfilePath !== undefined || o.dispatchfileRevision !== undefined) {
    const current = (block.dispatchfile as { git?: Record<string, string> } | undefined)?.git;
    if (!current)
      throw new CommandError(
        "--dispatchfile-path and --dispatchfile-revision go with --dispatchfile-repository <url>",
      );
    block.dispatchfile = {
      git: {
        ...current,
        ...(o.dispatchfilePath ? { path: o.dispatchfilePath } : {}),
        ...(o.dispatchfileRevision ? { revision: o.dispatchfileRevision } : {}),
      },
    };
  }
  const subscriptions = subscriptionsOf(o, current);
  if (subscriptions) block.subscriptions = subscriptions;
  if (o.serviceAccount !== undefined) block.serviceAccount = o.serviceAccount;
  if (o.logStorageRules !== undefined) block.logRetention = logRules(o.logStorageRules);
  if (o.timeout !== undefined)
    block.timeouts = { ...(block.timeouts as Record<string, unknown> | undefined), script: o.timeout };
  if (o.executor !== undefined) block.executor = o.executor;
  if (o.concurrency !== undefined) block.concurrency = integer("--concurrency", o.concurrency);
  if (o.webhookTokenFile !== undefined) block.webhookToken = await tokenFile(o.webhookTokenFile);
  // Logins are named, never sent: the server looks them up among the project's and its account's.
  if (o.imageRepositorySecret !== undefined) block.imageRepositorySecret = o.imageRepositorySecret;
  if (o.imageRepositoryApi !== undefined) block.imageRepositoryApi = o.imageRepositoryApi;
  if (o.url !== undefined) block.webhookUrl = o.url;
  if (o.dispatchfileRepositoryScmSecret !== undefined)
    block.dispatchfileRepositoryScmSecret = o.dispatchfileRepositoryScmSecret;
  return block;
}

/** Dispatch names the image repository; Bosun also the registry it is on (default Docker Hub). */
function subscriptionsOf(
  o: BlockOptions,
  current: readonly ShownSubscription[] = [],
): Record<string, unknown>[] | undefined {
  const repositories = [...o.imageRepository, ...o.repository];
  if (o.registry.length === 0 && repositories.length === 0 && o.tag.length === 0) return undefined;
  const base: ShownSubscription[] =
    o.registry.length > 0 || current.length === 0
      ? (o.registry.length > 0 ? o.registry : ["dockerhub"]).map((registry) => ({
          registry,
          repositories: current[0]?.repositories ?? [],
          tags: current[0]?.tags ?? [],
        }))
      : [...current];
  return base.map((s) => ({
    registry: s.registry,
    repositories: repositories.length ? repositories : s.repositories,
    tags: o.tag.length ? o.tag : s.tags,
  }));
}

function logRules(text: string): unknown {
  try {
    const rules = JSON.parse(text) as unknown;
    if (Array.isArray(rules)) return rules;
  } catch {
    // Said below.
  }
  throw new CommandError(
    `--log-storage-rules: expected a JSON array such as '[{"maxBuildRuns": 10, "tasks": "*"}]', found ${JSON.stringify(text)}`,
  );
}

function integer(option: string, text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  throw new CommandError(`${option}: expected a whole number, found ${JSON.stringify(text)}`);
}

async function specFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new CommandError(`--spec: cannot read ${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    throw new CommandError(`--spec: ${file} is not YAML or JSON: ${(err as Error).message.split("\n")[0]}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new CommandError(
      `--spec: ${file} should hold one project block (a map), as under projects: in bosun.yaml`,
    );
  return value as Record<string, unknown>;
}

/** The token from a file, so that it stays out of shell history and `ps`. */
async function tokenFile(file: string): Promise<string> {
  try {
    const token = (await readFile(file, "utf8")).replace(/\r?\n$/, "");
    if (token) return token;
  } catch (err) {
    throw new CommandError(`--webhook-token-file: cannot read ${file}: ${(err as Error).message}`);
  }
  throw new CommandError(`--webhook-token-file: ${file} is empty`);
}
