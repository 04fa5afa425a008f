/**
 * Every WebhookManager, against its registry's stand-in: one hook per gateway URL, found again rather
 * than added twice, updated when it differs, removed; the hook carries the token so that the real
 * gateway accepts what the registry delivers through it; every failure is a WEBHOOK_* code whose
 * message holds no secret.
 */
import { expect } from "chai";
import { BosunError } from "@bosun/core";
import type { RegistryGateway, WebhookManager } from "../src/index.js";
import { WebhookError } from "../src/hooks/errors.js";
import type { WebhookSpec } from "../src/hooks/manager.js";
import type { HookStandIn, SeenRequest } from "@bosun/test-support";

export interface WebhookContractSetup {
  gateway: RegistryGateway;
  standIn(): Promise<HookStandIn>;
  /**
   * The manager speaking to `apiUrl` with the stand-in's login, a wrong one, or one the registry
   * knows that may not manage webhooks.
   */
  manager(apiUrl: string, login: "right" | "wrong" | "without rights"): WebhookManager;
  /** The login's secrets, which no message may hold. */
  loginSecrets: readonly string[];
  /** The gateway URL (JFrog's carries `?registry=`). */
  url?: string;
}

const SECRET = "bosun-webhook-token-3f9a0c7e11";
const OTHER_SECRET = "bosun-webhook-token-rotated-b47d";
const SAMPLE_BODY = Buffer.from('{"sample": true}');

export function webhookManagerContract(setup: WebhookContractSetup): void {
  const url = setup.url ?? `https://bosun.example.com/events/${setup.gateway.kind}/webapp`;
  const title = setup.manager("http://127.0.0.1:1", "right").title;

  describe(`${title} webhooks: the WebhookManager contract`, () => {
    let standIn: HookStandIn;
    let manager: WebhookManager;
    let spec: WebhookSpec;

    beforeEach(async () => {
      standIn = await setup.standIn();
      manager = setup.manager(standIn.url, "right");
      spec = { repository: standIn.repository, url, secret: SECRET, events: ["image_push"] };
    });
    afterEach(async () => {
      const violations = [...standIn.violations];
      await standIn.close();
      expect(violations, "requests the registry would refuse").to.deep.equal([]);
    });

    async function accepted(secret: string): Promise<boolean[]> {
      return Promise.all(
        standIn
          .deliveries(SAMPLE_BODY)
          .map(async (request) =>
            setup.gateway.authenticator.reads === "head"
              ? setup.gateway.authenticator.authenticate(request, secret)
              : setup.gateway.authenticator.authenticate(request, secret),
          ),
      );
    }

    it("creates one hook whose deliveries the gateway accepts with the project's token, and only with it", async () => {
      const result = await manager.ensure(spec);
      expect(result.state).to.equal("created");
      expect(result.id).to.be.a("string").and.not.equal("");
      expect(standIn.hookCount()).to.equal(1);
      expect(await accepted(SECRET)).to.deep.equal([true]);
      expect(await accepted(OTHER_SECRET)).to.deep.equal([false]);
    });

    it("finds the hook again on a second ensure: unchanged, same id, nothing written", async () => {
      const first = await manager.ensure(spec);
      const writes = standIn.writes().length;
      const second = await manager.ensure(spec);
      expect(second).to.deep.equal({ state: "unchanged", id: first.id });
      expect(standIn.writes().length, "requests that change something").to.equal(writes);
      expect(standIn.hookCount()).to.equal(1);
    });

    it("updates the hook when the token changes, keeping one hook", async () => {
      await manager.ensure(spec);
      const changed = { ...spec, secret: OTHER_SECRET };
      if (!manager.secretVisible) {
        // The registry never shows the secret back: only `rotate` writes a new one.
        expect((await manager.ensure(changed)).state).to.equal("unchanged");
        expect(await accepted(SECRET)).to.deep.equal([true]);
      }
      const result = await manager.ensure(manager.secretVisible ? changed : { ...changed, rotate: true });
      expect(result.state).to.equal("updated");
      expect(standIn.hookCount()).to.equal(1);
      expect(await accepted(OTHER_SECRET)).to.deep.equal([true]);
      expect((await manager.ensure(changed)).state).to.equal("unchanged");
    });

    it("updates the hook when what it reports changes, or refuses events the registry cannot send", async () => {
      await manager.ensure(spec);
      const both = { ...spec, events: ["image_push", "image_delete"] as const };
      if (manager.events.includes("image_delete")) {
        expect((await manager.ensure(both)).state).to.equal("updated");
        expect((await manager.ensure(both)).state).to.equal("unchanged");
        expect(standIn.hookCount()).to.equal(1);
      } else {
        const writes = standIn.requests.length;
        const error = await failure(manager.ensure(both));
        expect(error.code).to.equal("WEBHOOK_UNSUPPORTED");
        expect(standIn.requests.length, "nothing asked of the registry").to.equal(writes);
      }
    });

    it("leaves one hook when two ensures run at once (a conflict on create looks again)", async () => {
      const results = await Promise.all([manager.ensure(spec), manager.ensure(spec)]);
      expect(results.map((r) => r.state)).to.include("created");
      // Quay allows two notifications alike: the next ensure keeps one.
      await manager.ensure(spec);
      expect(standIn.hookCount()).to.equal(1);
      expect(await accepted(SECRET)).to.deep.equal([true]);
    });

    it("removes the hook, and answers false when there is none", async () => {
      await manager.ensure(spec);
      expect(await manager.remove({ repository: spec.repository, url })).to.equal(true);
      expect(standIn.hookCount()).to.equal(0);
      expect(await manager.remove({ repository: spec.repository, url })).to.equal(false);
    });

    it("leaves other hooks alone: a second project's URL is a second hook", async () => {
      const other = { ...spec, url: url.replace("/webapp", "/billing") };
      await manager.ensure(spec);
      expect((await manager.ensure(other)).state).to.equal("created");
      expect(standIn.hookCount()).to.equal(2);
      await manager.remove({ repository: spec.repository, url });
      expect(standIn.hookCount()).to.equal(1);
    });

    it("finds its hook among more than a page of others", async () => {
      const others = Array.from({ length: 104 }, (_, i) => ({
        ...spec,
        url: url.replace("/webapp", `/p${i}`),
      }));
      for (const other of others) await manager.ensure(other);
      expect((await manager.ensure(spec)).state).to.equal("created");
      expect((await manager.ensure(spec)).state).to.equal("unchanged");
      expect((await manager.ensure(others[0] ?? spec)).state).to.equal("unchanged");
      expect(standIn.hookCount()).to.equal(105);
    });

    it("refuses a repository, URL or token that names no hook, before sending anything", async () => {
      const bad: [Partial<WebhookSpec>, string][] = [
        [{ repository: "../../etc" }, "repository"],
        [{ repository: "acme/web app" }, "repository"],
        [{ url: "not a url" }, "url"],
        [{ url: "ftp://bosun.example.com/events/x/webapp" }, "url"],
        [{ secret: "" }, "secret"],
      ];
      for (const [change, path] of bad) {
        const error = await manager.ensure({ ...spec, ...change }).then(
          () => expect.fail(`${JSON.stringify(change)} was taken`),
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(BosunError);
        expect((error as BosunError).code).to.equal("PAYLOAD_MALFORMED");
        expect((error as BosunError).problems[0]?.path).to.equal(path);
      }
      const removal = await manager.remove({ repository: "a b", url }).catch((e: unknown) => e);
      expect((removal as BosunError).code).to.equal("PAYLOAD_MALFORMED");
      expect(standIn.requests).to.deep.equal([]);
    });

    it("answers a refused login WEBHOOK_UNAUTHORIZED, without the login or the token", async () => {
      const error = await failure(setup.manager(standIn.url, "wrong").ensure(spec));
      expect(error.code).to.equal("WEBHOOK_UNAUTHORIZED");
      expect(error.status).to.equal(401);
      expectNoSecret(error.message);
    });

    it("answers a login without the rights to manage webhooks WEBHOOK_FORBIDDEN", async () => {
      const error = await failure(setup.manager(standIn.url, "without rights").ensure(spec));
      expect(error.code).to.equal("WEBHOOK_FORBIDDEN");
      expect(error.status).to.equal(403);
      expect(standIn.hookCount()).to.equal(0);
      expectNoSecret(error.message);
    });

    it("answers an unknown repository WEBHOOK_NOT_FOUND", async function () {
      const missing = standIn.missingRepository;
      if (missing === undefined) {
        standIn.failNext(404);
        expect((await failure(manager.ensure(spec))).code).to.equal("WEBHOOK_NOT_FOUND");
        return;
      }
      const error = await failure(manager.ensure({ ...spec, repository: missing }));
      expect(error.code).to.equal("WEBHOOK_NOT_FOUND");
      expect(error.message).to.include(title);
    });

    const answers: [number, string, Record<string, string>][] = [
      [401, "WEBHOOK_UNAUTHORIZED", {}],
      [403, "WEBHOOK_FORBIDDEN", {}],
      [404, "WEBHOOK_NOT_FOUND", {}],
      [409, "WEBHOOK_CONFLICT", {}],
      [429, "WEBHOOK_RATE_LIMITED", { "retry-after": "7" }],
      [500, "WEBHOOK_API_ERROR", {}],
      [503, "WEBHOOK_API_ERROR", {}],
    ];
    for (const [status, code, headers] of answers) {
      it(`answers the registry's ${status} ${code}, its message naming the registry and holding no secret`, async () => {
        // The create fails, and keeps failing where the client tries again (a new login after a 401,
        // a second look after a 409); the registry's error body echoes the request, token included.
        standIn.failNext(status, {
          when: isCreate,
          headers,
          times: status === 401 || status === 409 ? 3 : 1,
        });
        const error = await failure(manager.ensure({ ...spec }));
        expect(error.code).to.equal(code);
        expect(error.status).to.equal(status);
        expect(error.message).to.include(title).and.include(String(status));
        expectNoSecret(error.message);
        if (status === 429) expect(error.retryAfterSeconds).to.equal(7);
      });
    }

    it("answers a registry that cannot be reached WEBHOOK_UNREACHABLE", async () => {
      const gone = await setup.standIn();
      const address = gone.url;
      await gone.close();
      const error = await failure(setup.manager(address, "right").ensure(spec));
      expect(error.code).to.equal("WEBHOOK_UNREACHABLE");
      expectNoSecret(error.message);
    });
  });

  function expectNoSecret(message: string): void {
    for (const secret of [SECRET, OTHER_SECRET, ...setup.loginSecrets, "not-the-password", "not-the-token"]) {
      expect(message).to.not.include(secret);
      expect(message).to.not.include(encodeURIComponent(secret));
      expect(message).to.not.include(new URLSearchParams({ t: secret }).toString().slice(2));
    }
  }
}

/** The request that creates the hook: a POST that is not a login. */
function isCreate(request: SeenRequest): boolean {
  return request.method === "POST" && !request.path.endsWith("/login");
}

async function failure(promise: Promise<unknown>): Promise<WebhookError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WebhookError) return error;
    throw error;
  }
  expect.fail("expected a WebhookError");
}
