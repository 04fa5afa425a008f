/**
 * The keys of a project made through the API that say how Bosun keeps its webhook on the registry,
 * as Dispatch's `ci repository create` options: `imageRepositorySecret` (the registry login that
 * manages webhooks: a docker login, named by its registry, of the project's service account or the
 * project's own), `imageRepositoryApi` (the registry's API address, when it is not the login's
 * registry), `webhookUrl` (the URL registered instead of `<server.publicUrl>/events/<registry>/<name>`)
 * and `dispatchfileRepositoryScmSecret` (the git login, named by its host, that clones the
 * Dispatchfile repository). They are not bosun.yaml's: the block is split before the schema reads it.
 */
import {
  normaliseTarget,
  ownerKey,
  type CredentialKind,
  type Problem,
  type ProjectConfig,
  type Result,
} from "@bosun/core";
import type { CredentialStore } from "@bosun/store";

export interface WebhookSettings {
  imageRepositorySecret?: string;
  imageRepositoryApi?: string;
  webhookUrl?: string;
  dispatchfileRepositoryScmSecret?: string;
}

/** Each key and the option of `bosun project add|update` that sets it, for messages. */
export const SETTING_OPTIONS: Readonly<Record<keyof WebhookSettings, string>> = {
  imageRepositorySecret: "--image-repository-secret",
  imageRepositoryApi: "--image-repository-api",
  webhookUrl: "--url",
  dispatchfileRepositoryScmSecret: "--dispatchfile-repository-scm-secret",
};
const KEYS = Object.keys(SETTING_OPTIONS) as (keyof WebhookSettings)[];

/** The block without these keys (what the project schema reads) and the settings, checked for form. */
export function splitSettings(
  block: Record<string, unknown>,
): Result<{ settings: WebhookSettings; rest: Record<string, unknown> }> {
  const rest: Record<string, unknown> = { ...block };
  const settings: WebhookSettings = {};
  const problems: Problem[] = [];
  for (const key of KEYS) {
    const value = rest[key];
    delete rest[key];
    if (value === undefined) continue;
    const problem = formProblem(key, value);
    if (problem) problems.push(problem);
    else settings[key] = key.endsWith("Secret") ? normalised(key, value as string) : (value as string);
  }
  return problems.length > 0 ? { errors: problems } : { value: { settings, rest } };
}

/** The block without these keys: what bosun.yaml takes (`bosun project export`). */
export function withoutSettings<T extends Record<string, unknown>>(block: T): T {
  const rest: Record<string, unknown> = { ...block };
  for (const key of KEYS) delete rest[key];
  return rest as T;
}

function kindOf(key: keyof WebhookSettings): CredentialKind {
  return key === "dispatchfileRepositoryScmSecret" ? "git" : "docker";
}

function normalised(key: keyof WebhookSettings, value: string): string {
  return normaliseTarget(kindOf(key), value) ?? value;
}

function formProblem(key: keyof WebhookSettings, value: unknown): Problem | undefined {
  const option = SETTING_OPTIONS[key];
  if (key === "imageRepositoryApi" || key === "webhookUrl") {
    const url = typeof value === "string" && URL.canParse(value) ? new URL(value) : undefined;
    if (
      url &&
      (url.protocol === "https:" || url.protocol === "http:") &&
      url.username === "" &&
      url.password === ""
    )
      return undefined;
    return problem(key, `${option}: not an http(s) URL`, "an http or https URL without a login in it", value);
  }
  if (typeof value === "string" && normaliseTarget(kindOf(key), value) !== undefined) return undefined;
  const what = kindOf(key) === "git" ? "a git host (host[:port])" : "a registry (host[:port])";
  return problem(key, `${option}: not the name of a login`, `the ${what} of a stored login`, value);
}

function problem(key: string, message: string, expected: string, found: unknown): Problem {
  return {
    code: "PAYLOAD_MALFORMED",
    message,
    path: key,
    expected,
    found: typeof found === "string" ? found : (JSON.stringify(found) ?? String(found)),
  };
}

/**
 * The logins the settings name, looked up among the project's service account's and its own: a
 * login of another owner (another service account's) is refused, as is one that does not exist, and
 * a Dispatchfile login for a host its repository is not on. Undefined when all is well.
 */
export async function loginProblems(
  settings: WebhookSettings,
  project: ProjectConfig,
  credentials: CredentialStore | undefined,
  publicUrl: string | undefined,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  if (settings.imageRepositorySecret !== undefined && settings.webhookUrl === undefined && !publicUrl)
    problems.push({
      code: "PAYLOAD_MALFORMED",
      message:
        "--url: this server has no server.publicUrl, so it does not know the address registries reach it at",
      path: "webhookUrl",
      expected:
        "the webhook URL (--url https://bosun.example.com/events/<registry>/<project>), or server.publicUrl in the server's config",
    });
  for (const key of ["imageRepositorySecret", "dispatchfileRepositoryScmSecret"] as const) {
    const target = settings[key];
    if (target === undefined) continue;
    const found = await ownerOf(credentials, project, kindOf(key), target);
    if (found.problem) problems.push({ ...found.problem, path: key, found: target });
  }
  const scm = settings.dispatchfileRepositoryScmSecret;
  if (scm !== undefined) {
    const source = project.dispatchfile;
    const url =
      source && "git" in source && URL.canParse(source.git.url) ? new URL(source.git.url) : undefined;
    const host = url ? normaliseTarget("git", url.host) : undefined;
    if (host !== scm)
      problems.push({
        code: "PAYLOAD_MALFORMED",
        message: `--dispatchfile-repository-scm-secret: the login is for ${scm}, not the host of the Dispatchfile repository`,
        path: "dispatchfileRepositoryScmSecret",
        expected: host
          ? `the git host of --dispatchfile-repository (${host})`
          : "--dispatchfile-repository <https URL> on the same host",
        found: scm,
      });
  }
  return problems;
}

async function ownerOf(
  credentials: CredentialStore | undefined,
  project: ProjectConfig,
  kind: CredentialKind,
  target: string,
): Promise<{ problem?: Omit<Problem, "path" | "found"> }> {
  const option = kind === "git" ? "--dispatchfile-repository-scm-secret" : "--image-repository-secret";
  const owners = [
    ...(project.serviceAccount === undefined ? [] : [ownerKey({ serviceAccount: project.serviceAccount })]),
    project.name,
  ];
  const whose = project.serviceAccount
    ? `service account ${project.serviceAccount} or of project ${project.name}`
    : `project ${project.name} (or of the service account it names with --service-account)`;
  const expected = `a ${kind} login of ${whose}, stored with bosun login ${kind}`;
  if (!credentials)
    return {
      problem: { code: "PAYLOAD_MALFORMED", message: `${option}: this server keeps no logins`, expected },
    };
  const all = (await credentials.list()).filter((c) => c.kind === kind && c.target === target);
  if (all.some((c) => owners.includes(c.project))) return {};
  const others = all.map((c) => c.project).filter((p) => p.startsWith(ownerKey({ serviceAccount: "" })));
  const message =
    others.length > 0
      ? `${option}: the ${kind} login for ${target} belongs to another service account, not to this project's`
      : `${option}: no ${kind} login for ${target} that this project may use`;
  return { problem: { code: "PAYLOAD_MALFORMED", message, expected } };
}
