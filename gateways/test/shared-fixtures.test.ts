/**
 * The shared corpus of real registry payloads, read in place from ../shared/fixtures/registries and
 * sent through the HTTP gateway. Every file must get a non-5xx answer; known files must give exactly
 * the events below. Other registries' folders join this list as their gateways are written.
 */
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RegistryGateway } from "../src/index.js";
import { distribution, dockerHub } from "../src/index.js";
import { sharedFixtureDir } from "./support/fixtures.js";
import type { OutgoingRequest, RunningGateway } from "./support/server.js";
import { PROJECT, send, startGateway, TOKEN } from "./support/server.js";
import type { TestStore } from "./support/store.js";
import { openTestStore } from "./support/store.js";

interface Expectation {
  status: number;
  /** "type ref" of each stored event, in order. */
  events?: string[];
  errorPath?: string;
}

interface Corpus {
  gateway: RegistryGateway;
  contentType: string;
  authorize(request: OutgoingRequest): OutgoingRequest;
  expected: Record<string, Expectation>;
}

const CORPORA: Corpus[] = [
  {
    gateway: dockerHub,
    contentType: "application/json",
    authorize: (r) => ({ ...r, path: `${r.path}?access_token=${TOKEN}` }),
    expected: {
      "docs_current_push.json": {
        status: 202,
        events: ["image_push docker.io/svendowideit/testhook:latest"],
      },
      "docs_legacy_push_with_images.json": {
        status: 202,
        events: ["image_push docker.io/svendowideit/testhook:latest"],
      },
      "docs_legacy_callback_response.json": { status: 400, errorPath: "push_data" },
    },
  },
  {
    gateway: distribution,
    contentType: "application/vnd.docker.distribution.events.v1+json",
    authorize: (r) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${TOKEN}` } }),
    expected: {
      "docs_push_envelope_manifest_and_layers.json": {
        status: 202,
        events: [
          "image_push registrycluster.local/library/test@sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf",
        ],
      },
    },
  },
];

for (const corpus of CORPORA) {
  const { gateway } = corpus;
  const dir = sharedFixtureDir(gateway.kind);

  describe(`${gateway.title} gateway: shared fixtures (../shared/fixtures/registries/${gateway.kind})`, () => {
    let db: TestStore;
    let server: RunningGateway;
    beforeEach(async function () {
      if (!dir) this.skip();
      db = await openTestStore();
      server = await startGateway({ store: db.store, registries: [gateway] });
    });
    afterEach(async () => {
      await server?.close();
      await db?.close();
    });

    const files = dir
      ? readdirSync(dir)
          .filter((f) => f.endsWith(".json"))
          .sort()
      : [];
    it("has the files this test knows about", function () {
      if (!dir) this.skip();
      expect(files).to.include.members(Object.keys(corpus.expected));
    });

    for (const file of files) {
      const expected = corpus.expected[file];
      it(`${file}: ${expected ? `${expected.status}, ${expected.events?.length ?? 0} event(s)` : "answered without a 5xx"}`, async () => {
        const body = readFileSync(join(dir ?? "", file));
        const request = corpus.authorize({
          path: `/events/${gateway.kind}/${PROJECT}`,
          headers: { "content-type": corpus.contentType },
          body,
        });
        const reply = await send(server.url, request);
        expect(reply.status, reply.text).to.be.lessThan(500);
        const stored = await db.events();
        if (!expected) return;
        expect(reply.status, reply.text).to.equal(expected.status);
        expect(stored.map((e) => `${e.type} ${e.image.ref}`)).to.deep.equal(expected.events ?? []);
        for (const event of stored) expect(event.payload).to.equal(body.toString("utf8"));
        if (expected.errorPath) {
          expect((reply.json as { error: { path?: string } }).error.path).to.equal(expected.errorPath);
        }
      });
    }
  });
}
