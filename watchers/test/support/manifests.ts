/**
 * Manifests written straight to a real registry (PUT /v2/<repo>/manifests/<tag>), for images skopeo
 * cannot make from the one test image: the same layers with an annotation (another digest), and
 * manifest lists over them.
 */
import { createHash } from "node:crypto";
import type { TestRegistry } from "@bosun/test-support";

type RegistryUser = TestRegistry["users"][number];

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

function basic(user: RegistryUser): string {
  return `Basic ${Buffer.from(`${user.username}:${user.password}`).toString("base64")}`;
}

/**
 * A request as the registry's login wants it: Basic, or, when it answers 401 with a Bearer
 * challenge (token auth), again with a token the challenge's realm gives the user for `scope`.
 */
async function authorized(
  registry: TestRegistry,
  url: string,
  init: RequestInit & { headers: Record<string, string> },
  scope: string,
): Promise<Response> {
  const user = registry.users[0];
  if (!user) return fetch(url, init);
  const first = await fetch(url, { ...init, headers: { ...init.headers, Authorization: basic(user) } });
  const challenge = first.headers.get("www-authenticate") ?? "";
  if (first.status !== 401 || !challenge.startsWith("Bearer ")) return first;
  const param = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(challenge)?.[1] ?? "";
  const realm = new URL(param("realm"));
  realm.searchParams.set("service", param("service"));
  realm.searchParams.set("scope", scope);
  const issued = await fetch(realm, { headers: { Authorization: basic(user) } });
  if (!issued.ok) throw new Error(`token for ${scope}: ${issued.status}`);
  const { token } = (await issued.json()) as { token: string };
  return fetch(url, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } });
}

/** Tags REPO:TAG with REPO:FROM's OCI manifest plus an annotation: a digest of its own. Returns it. */
export async function pushAnnotated(
  registry: TestRegistry,
  repo: string,
  from: string,
  tag: string,
  note: string,
): Promise<string> {
  const scope = `repository:${repo}:pull,push`;
  const got = await authorized(
    registry,
    `${registry.url}/v2/${repo}/manifests/${from}`,
    { headers: { Accept: OCI_MANIFEST } },
    scope,
  );
  if (!got.ok) throw new Error(`GET ${repo}:${from}: ${got.status}`);
  const manifest = (await got.json()) as Record<string, unknown>;
  const body = JSON.stringify({ ...manifest, annotations: { "org.example.note": note } });
  const put = await authorized(
    registry,
    `${registry.url}/v2/${repo}/manifests/${tag}`,
    { method: "PUT", headers: { "Content-Type": OCI_MANIFEST }, body },
    scope,
  );
  if (put.status !== 201) throw new Error(`PUT ${repo}:${tag}: ${put.status} ${await put.text()}`);
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}
