/**
 * Bosun's image (scripts/build-image.sh) runs `bosun serve` under Podman as a user would: non-root,
 * read-only root filesystem, config and script mounted at /etc/bosun, port published on 127.0.0.1.
 * A real registry (Debian's docker-registry, pushed to by skopeo) notifies it through the published
 * port; the project's script runs in the image's isolated-vm and its line is read back through the API.
 */
import { rmSync } from "node:fs";
import { expect } from "chai";
import {
  ensureBosunImage,
  ensureTestImage,
  freePort,
  startRegistry,
  type BosunImage,
  type TestRegistry,
} from "@bosun/test-support";
import { ApiHelper } from "./support/api.js";
import { configFolder, podman, waitServing } from "./support/image-container.js";

const ADMIN_TOKEN = "image-test-admin-token";
const WEBHOOK_TOKEN = "image-test-webhook-token";
const PROJECT = "in-image";
/** The image's user; the manifests run pods as the same uid. */
const UID = "10001";

const SCRIPT = `
const { events } = require("brigadier");
events.on("image_push", (e, p) => console.log("image-run saw " + e.image.ref + " for " + p.name));
`;

describe("Bosun's image: bosun serve under Podman, notified by a real registry", function () {
  this.timeout(120_000);
  let image: BosunImage;
  let registry: TestRegistry;
  let configDir: string;
  let api: ApiHelper;
  const container = `bosun-image-test-${process.pid}-${Date.now()}`;

  before(async () => {
    image = ensureBosunImage();
    ensureTestImage();
    const port = await freePort();
    configDir = configFolder(
      [
        `server: { adminToken: ${ADMIN_TOKEN} }`,
        "projects:",
        `  - name: ${PROJECT}`,
        "    script: ./brigade.js",
        `    webhookToken: ${WEBHOOK_TOKEN}`,
        "    subscriptions: [{ registry: distribution }]",
      ].join("\n") + "\n",
      { "brigade.js": SCRIPT },
    );
    const started = await podman([
      "run",
      "--detach",
      "--name",
      container,
      // The machine's default is no network; slirp4netns publishes the port without a bridge.
      "--network",
      "slirp4netns",
      "--publish",
      `127.0.0.1:${port}:7744`,
      "--read-only",
      "--tmpfs",
      "/tmp:rw,mode=1777",
      "--volume",
      "/data",
      "--volume",
      `${configDir}:/etc/bosun:ro`,
      image.id,
    ]);
    if (started.code !== 0) throw new Error(`podman run failed:\n${started.stderr}`);
    const url = `http://127.0.0.1:${port}`;
    await waitServing(url, container);
    api = new ApiHelper(url, () => ADMIN_TOKEN);
    registry = await startRegistry({
      notifyUrl: `${url}/events/distribution/${PROJECT}`,
      notifyHeaders: { Authorization: [`Bearer ${WEBHOOK_TOKEN}`] },
    });
  });

  after(async () => {
    await registry?.stop();
    await podman(["rm", "--force", "--volumes", container]);
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it("answers a push with a run of the project's script, read back through the API", async () => {
    await registry.push("team/app", "v1.0.0");
    const [run] = await api.finishedRuns(`?project=${PROJECT}`, 1, 60_000);
    expect(run!.status, JSON.stringify(run)).to.equal("succeeded");
    const [event] = await api.events(PROJECT);
    expect(event!.source).to.equal("distribution");
    expect(event!.image).to.include({ repository: "team/app", tag: "v1.0.0" });
    expect(await api.logs(run!.id)).to.contain(
      `image-run saw ${registry.host}/team/app:v1.0.0 for ${PROJECT}`,
    );
  });

  it("serves the dashboard's page and script", async () => {
    const page = await fetch(`${api.url}/`);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.contain('src="app.js"');
    expect((await fetch(`${api.url}/app.js`)).status).to.equal(200);
  });

  it("runs as the unprivileged user, on a read-only root filesystem, with its data in /data", async () => {
    const probe = await podman([
      "exec",
      container,
      "node",
      "-e",
      [
        "const fs = require('node:fs');",
        "let root = 'writable';",
        "try { fs.writeFileSync('/opt/bosun/probe', 'x'); } catch (e) { root = e.code; }",
        "console.log(JSON.stringify({ uid: process.getuid(), root, data: fs.readdirSync('/data') }));",
      ].join(" "),
    ]);
    expect(probe.code, probe.stderr).to.equal(0);
    const seen = JSON.parse(probe.stdout) as { uid: number; root: string; data: string[] };
    expect(seen.uid).to.equal(Number(UID));
    expect(seen.root).to.equal("EROFS");
    expect(seen.data).to.include("bosun.db");
  });

  it("has git and the CA certificates that Dispatchfiles from git need", async () => {
    const git = await podman(["exec", container, "git", "--version"]);
    expect(git.code, git.stderr).to.equal(0);
    expect(git.stdout).to.match(/^git version \d/);
    // Nothing listens there: git gets as far as connecting, so its https helper and libcurl load.
    const https = await podman(["exec", container, "git", "ls-remote", "https://127.0.0.1:9/x.git"]);
    expect(https.code).to.not.equal(0);
    expect(https.stderr).to.match(/Failed to connect|Could not connect|Connection refused/i);
    const ca = await podman([
      "exec",
      container,
      "node",
      "-e",
      "console.log(require('node:fs').statSync(process.env.SSL_CERT_FILE).size)",
    ]);
    expect(Number(ca.stdout)).to.be.greaterThan(1000);
  });

  // Last: it ends the container. PID 1 gets no default signal handling; bosun's own handler must exit.
  it("shuts down cleanly on podman stop (SIGTERM to PID 1)", async () => {
    const stopped = await podman(["stop", "--time", "20", container]);
    expect(stopped.code, stopped.stderr).to.equal(0);
    const exit = await podman(["inspect", "--format", "{{.State.ExitCode}}", container]);
    expect(exit.stdout.trim(), "137 would mean podman had to SIGKILL it").to.equal("0");
  });
});
