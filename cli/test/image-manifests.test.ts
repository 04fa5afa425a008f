/**
 * The container `bosun manifests` describes, run from Bosun's image under Podman the way a kubelet
 * would run it: the pod's user and group, its command and args in place of the image's entrypoint,
 * its environment, a read-only root filesystem with every capability dropped, the config, data and
 * tmp volumes at their mount paths. It must answer its own readiness and liveness probes.
 */
import { rmSync } from "node:fs";
import { expect } from "chai";
import type { V1Container, V1Deployment } from "@kubernetes/client-node";
import { ensureBosunImage, freePort } from "@bosun/test-support";
import { buildManifests, checkOptions, gatewayName } from "../src/manifests/index.js";
import { configFolder, podman, waitServing } from "./support/image-container.js";

describe("Bosun's image runs the container of bosun manifests", function () {
  this.timeout(120_000);
  const suffix = `${process.pid}-${Date.now()}`;
  const container = `bosun-image-manifests-${suffix}`;
  const dataVolume = `bosun-image-manifests-data-${suffix}`;
  let configDir: string;
  let url: string;
  let spec: V1Container;

  before(async () => {
    const image = ensureBosunImage();
    const objects = buildManifests(checkOptions({ gateways: ["distribution"], image: image.id }));
    const deployment = objects.find(
      (o): o is V1Deployment => o.kind === "Deployment" && o.metadata?.name === gatewayName("distribution"),
    );
    const pod = deployment!.spec!.template.spec!;
    spec = pod.containers[0]!;
    configDir = configFolder(
      "projects:\n  - { name: manifests, script: ./noop.js, webhookToken: manifests-token, subscriptions: [{ registry: distribution }] }\n",
      { "noop.js": 'require("brigadier").events.on("image_push", () => {});\n' },
    );
    const mountOf = (name: string) => spec.volumeMounts!.find((m) => m.name === name)!.mountPath;
    const port = await freePort();
    const user = `${pod.securityContext!.runAsUser}:${pod.securityContext!.runAsGroup}`;
    const started = await podman([
      ...["run", "--detach", "--name", container, "--network", "slirp4netns"],
      ...["--publish", `127.0.0.1:${port}:${spec.ports![0]!.containerPort}`],
      ...["--user", user, "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"],
      ...(spec.env ?? []).flatMap((e) => ["--env", `${e.name}=${e.value}`]),
      ...["--volume", `${configDir}:${mountOf("config")}:ro`],
      // The claim, made writable for the pod's user as fsGroup does on a cluster.
      ...["--volume", `${dataVolume}:${mountOf("data")}:U`],
      ...["--tmpfs", `${mountOf("tmp")}:rw,mode=1777`],
      ...["--entrypoint", JSON.stringify(spec.command), image.id, ...spec.args!],
    ]);
    if (started.code !== 0) throw new Error(`podman run failed:\n${started.stderr}`);
    url = `http://127.0.0.1:${port}`;
    await waitServing(url, container, spec.livenessProbe!.httpGet!.path);
  });

  after(async () => {
    await podman(["rm", "--force", container]);
    await podman(["volume", "rm", "--force", dataVolume]);
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it("answers its readiness and liveness probes, its store on the data volume", async () => {
    for (const probe of [spec.readinessProbe!, spec.livenessProbe!]) {
      const res = await fetch(`${url}${probe.httpGet!.path}`);
      expect(res.status, `${probe.httpGet!.path}: ${await res.text()}`).to.equal(200);
    }
    const data = await podman([
      "exec",
      container,
      "node",
      "-e",
      "console.log(require('node:fs').readdirSync(process.argv[1]).join(' '))",
      spec.volumeMounts!.find((m) => m.name === "data")!.mountPath,
    ]);
    expect(data.stdout.split(/\s+/)).to.include("bosun.db");
  });
});
