/**
 * Verified webhooks (a subscription's verifyWith) against a real docker-registry: a webhook is a
 * hint, and before its event runs the registry is asked, with the watched account's login, for the
 * tag's digest.
 */
import { expect } from "chai";
import type { ImagePushEvent } from "@bosun/core";
import { distribution } from "@bosun/gateways";
import type { StoredEvent } from "@bosun/store";
import { startRegistry, type TestRegistry } from "@bosun/test-support";
import { bosunCli as bosun } from "./support/bosun-cli.js";
import { startTestServer, type TestServer } from "./support/in-process.js";

const TOKEN = "verified-webhook-token";
const PASSWORD = "verify-password-1";
const FAKE = `sha256:${"f".repeat(64)}`;

describe("verified webhooks: the registry's word before a run", function () {
  this.timeout(90_000);
  let registry: TestRegistry;
  let t: TestServer;
  let v1: string;

  /** A Distribution notification of team/app:TAG claiming DIGEST, as anyone with the token may send. */
  async function webhook(tag: string, digest: string): Promise<string> {
    const made = distribution.synthesize({ repository: "team/app", tag, host: registry.host }, TOKEN);
    const envelope = JSON.parse(made.body.toString()) as { events: { target: { digest: string } }[] };
    envelope.events[0]!.target.digest = digest;
    const res = await fetch(`${t.url}/events/distribution/deploy`, {
      method: "POST",
      headers: Object.fromEntries(Object.entries(made.headers).map(([k, v]) => [k, String(v)])),
      body: JSON.stringify(envelope),
    });
    expect(res.status).to.equal(202);
    const { accepted } = (await res.json()) as { accepted: string[] };
    expect(accepted).to.have.length(1);
    return accepted[0]!;
  }

  async function eventWhen(id: string, done: (e: StoredEvent) => boolean): Promise<StoredEvent> {
    const until = Date.now() + 60_000;
    for (;;) {
      const event = await t.server.store.getEvent(id);
      if (event && done(event)) return event;
      if (Date.now() > until) throw new Error(`event ${id} is still ${JSON.stringify(event)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  before(async () => {
    registry = await startRegistry({ auth: { users: [{ username: "bosun", password: PASSWORD }] } });
    v1 = (await registry.push("team/app", "v1")).digest;
    t = await startTestServer(
      [
        "worker: { verifyRetry: 200ms }",
        "registries:",
        `  - { name: internal, address: "${registry.host}", insecure: true, repositories: [team/app], username: bosun, password: ${PASSWORD}, interval: 1h }`,
        "projects:",
        "  - name: deploy",
        "    script: ./brigade.js",
        `    webhookToken: ${TOKEN}`,
        "    subscriptions: [{ registry: distribution, verifyWith: internal }]",
      ].join("\n"),
      {
        "brigade.js": `const { events } = require("brigadier");\nevents.on("image_push", (e) => console.log("ran " + e.image.digest));\n`,
      },
    );
  });
  after(async () => {
    await t?.dispose();
    await registry?.stop();
  });

  it("a webhook claiming a digest the registry does not have is recorded and not run, and events list says why", async () => {
    const id = await webhook("v1", FAKE);
    const [run] = await t.api.finishedRuns(`?event=${id}`);
    expect(run!.status).to.equal("failed");
    expect(run!.error?.code).to.equal("PUSH_NOT_VERIFIED");
    expect(run!.jobs).to.deep.equal([]);
    expect(await t.api.logs(run!.id), "the script never ran").to.not.contain("ran ");
    const [listed] = (await t.api.events("deploy")).filter((e) => e.id === id);
    expect(listed!.verification).to.deep.include({
      account: "internal",
      claimed: FAKE,
      refused: `the webhook claimed ${FAKE}, but team/app:v1 is ${v1} at registry "internal"`,
    });
    const env = { BOSUN_SERVER: t.url, BOSUN_TOKEN: t.server.adminToken };
    const table = await bosun(["events", "list", "--project", "deploy"], env);
    expect(table.code, table.stderr).to.equal(0);
    const row = table.stdout.split("\n").find((line) => line.startsWith(id))!;
    expect(row).to.contain(`no, not run: the webhook claimed ${FAKE}, but team/app:v1 is ${v1}`);
    expect(table.stdout).to.not.contain(PASSWORD);

    const missing = await webhook("v9", v1);
    const [refused] = await t.api.finishedRuns(`?event=${missing}`);
    expect(refused!.error?.message).to.equal(`not run: team/app:v9 does not exist at registry "internal"`);
  });

  it("the webhook the registry agrees with runs, with the registry's digest", async () => {
    const id = await webhook("v1", v1);
    const [run] = await t.api.finishedRuns(`?event=${id}`);
    expect(run!.status).to.equal("succeeded");
    expect(await t.api.logs(run!.id)).to.contain(`ran ${v1}`);
    const event = (await t.server.store.getEvent(id)) as StoredEvent & ImagePushEvent;
    expect(event.verification).to.deep.include({ account: "internal", digest: v1, claimed: v1 });
  });

  it("with the registry stopped the event waits in the queue, and runs once it is back", async () => {
    await registry.pause();
    try {
      const id = await webhook("v1", v1);
      const waiting = await eventWhen(
        id,
        (e) => e.verification !== undefined && "unreachable" in e.verification,
      );
      expect(waiting.state).to.equal("queued");
      expect(await t.api.runs(`?event=${id}`), "nothing ran meanwhile").to.deep.equal([]);
      // Asked again, and again: still waiting, never dropped.
      await eventWhen(id, (e) => e.attempts >= 3);
      expect((await t.server.store.getEvent(id))?.state).to.not.equal("done");
      expect(await t.api.runs(`?event=${id}`)).to.deep.equal([]);
      await registry.resume();
      const [run] = await t.api.finishedRuns(`?event=${id}`);
      expect(run!.status).to.equal("succeeded");
      expect((await t.server.store.getEvent(id))?.verification).to.deep.include({ digest: v1 });
    } finally {
      await registry.resume().catch(() => undefined);
    }
  });
});
