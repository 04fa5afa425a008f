/**
 * Manifests written straight to a real registry (PUT /v2/<repo>/manifests/<tag>), for images skopeo
 * cannot make from the one test image: the same layers with an annotation (another digest), and
 * manifest lists over them.
 */
import { createHash } from "node:crypto";
import type { TestRegistry } from "@bosun/test-support";

type RegistryUser = TestRegistry["users"][number];

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

function headers(user: RegistryUser | undefined, extra: Record<string, string>): Record<string, string> {
  if (!user) return extra;
  return {
    Authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString("base64")}`,
    ...extra,
  };
}

/** Tags REPO:TAG with REPO:FROM's OCI manifest plus an annotation: a digest of its own. Returns it. */
export async function pushAnnotated(
  registry: TestRegistry,
  repo: string,
  from: string,
  tag: string,
  note: string,
): Promise<string> {
  const user = registry.users[0];
  const got = await fetch(`${registry.url}/v2/${repo}/manifests/${from}`, {
    headers: headers(user, { Accept: OCI_MANIFEST }),
  });
  if (!got.ok) throw new Error(`GET ${repo}:${from}: ${got.status}`);
  const manifest = (await got.json()) as Record<string, unknown>;
  const body = JSON.stringify({ ...manifest, annotations: { "org.example.note": note } });
  const put = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, {
    method: "PUT",
    headers: headers(user, { "Content-Type": OCI_MANIFEST }),
    body,
  });
  if (put.status !== 201) throw new Error(`PUT ${repo}:${tag}: ${put.status} ${await put.text()}`);
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}
