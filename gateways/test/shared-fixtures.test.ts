/**
 * Real registry payloads sent through the HTTP gateway: the repository's copies in
 * fixtures/registries, and the larger collection in ../shared/fixtures/registries as well when it sits
 * beside the checkout. Every file must get a non-5xx answer; known files must give exactly the events
 * below. Other registries' folders join this list as their gateways are written.
 */
import { createHmac } from "node:crypto";
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RegistryGateway } from "../src/index.js";
import { distribution, dockerHub } from "../src/index.js";
import { acr } from "../src/acr/gateway.js";
import { ghcr } from "../src/ghcr/gateway.js";
import { harbor } from "../src/harbor/gateway.js";
import { quay } from "../src/quay/gateway.js";
import { ecr } from "../src/ecr/gateway.js";
import { gcr } from "../src/gcr/gateway.js";
import { jfrog } from "../src/jfrog/gateway.js";
import { realPayloads, sharedFixturesPresent, type RealPayloads } from "./support/fixtures.js";
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
  /** Turns a corpus file into the body the registry sends, when the corpus keeps only its content. */
  wrap?(file: Buffer): Buffer;
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
    gateway: acr,
    contentType: "application/json",
    // The chart sample has no request.host: the webhook URL names the registry.
    authorize: (r) => ({
      ...r,
      path: `${r.path}?registry=myregistry.azurecr.io`,
      headers: { ...r.headers, authorization: `Bearer ${TOKEN}` },
    }),
    expected: {
      "msdocs_push.json": { status: 202, events: ["image_push myregistry.azurecr.io/hello-world:v1"] },
      "msdocs_delete.json": {
        status: 202,
        events: [
          "image_delete myregistry.azurecr.io/hello-world@sha256:xxxxd5c8786bb9e621a45ece0dbxxxx1cdc624ad20da9fe62e9d25490f33xxxx",
        ],
      },
      // The sample's version "5.4.0.tgz" loses its file suffix.
      "msdocs_chart_push.json": { status: 202, events: ["image_push myregistry.azurecr.io/wordpress:5.4.0"] },
    },
  },
  {
    gateway: quay,
    contentType: "application/json",
    authorize: (r) => ({ ...r, path: `${r.path}?secret=${TOKEN}` }),
    expected: {
      "docs_repo_push.json": { status: 202, events: ["image_push quay.io/dgangaia/test:latest"] },
    },
  },
  {
    gateway: harbor,
    contentType: "application/json",
    authorize: (r) => ({ ...r, headers: { ...r.headers, authorization: TOKEN } }),
    expected: {
      // Pushed by digest: Harbor repeats the digest in `tag`.
      "docs_PUSH_ARTIFACT_default_by_digest.json": {
        status: 202,
        events: [
          "image_push localhost/harbor/alpine@sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4",
        ],
      },
      "docs_v2_0_PUSH_ARTIFACT_default_tabs.json": {
        status: 202,
        events: ["image_push hub.harbor.com/test-webhook/debian:latest"],
      },
    },
  },
  {
    gateway: ghcr,
    contentType: "application/json",
    authorize: (r) => ({
      ...r,
      headers: {
        ...r.headers,
        "x-github-event": r.body.includes('"registry_package"') ? "registry_package" : "package",
        "x-hub-signature-256": `sha256=${createHmac("sha256", TOKEN).update(r.body).digest("hex")}`,
      },
    }),
    expected: {
      // Octokit's samples say package_type npm but ecosystem docker, with container metadata: a
      // container. Untagged (tag.name "", package_url ending in ":"), owner lowercased.
      "octokit_package_published_docker_untagged.json": {
        status: 202,
        events: ["image_push ghcr.io/codertocat/hello-world@sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b"],
      },
      "octokit_registry_package_published_docker_untagged.json": {
        status: 202,
        events: ["image_push ghcr.io/codertocat/hello-world@sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b"],
      },
    },
  },
  {
    gateway: gcr,
    contentType: "application/json",
    authorize: (r) => ({ ...r, path: `${r.path}?token=${TOKEN}` }),
    // The corpus holds the decoded message.data; Pub/Sub pushes it base64-encoded in an envelope.
    wrap: (data) =>
      Buffer.from(
        JSON.stringify({
          message: {
            data: data.toString("base64"),
            messageId: "2070443601311540",
            publishTime: "2024-06-03T09:15:27Z",
          },
          subscription: "projects/my-project/subscriptions/bosun",
        }),
      ),
    expected: {
      // The sample's digest is truncated ("sha256:6ec128e26cd5..."): the tagged push is kept without it.
      "voucher_readme_gcr_insert_with_tag.json": {
        status: 202,
        events: ["image_push gcr.io/my-project/hello-world:1.1"],
      },
    },
  },
  {
    gateway: ecr,
    contentType: "application/json",
    authorize: (r) => ({ ...r, headers: { ...r.headers, "x-webhook-secret": TOKEN } }),
    expected: {
      "awsdocs_image_action_push_success.json": {
        status: 202,
        events: ["image_push 123456789012.dkr.ecr.us-west-2.amazonaws.com/my-repository-name:latest"],
      },
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
  {
    gateway: jfrog,
    contentType: "application/json",
    authorize: (r) => ({
      ...r,
      headers: {
        ...r.headers,
        "x-jfrog-event-auth": `sha1=${createHmac("sha1", TOKEN).update(r.body).digest("hex")}`,
      },
    }),
    expected: {
      // No jpd_origin and no ?registry=: the placeholder host; sha256 "sample_checksum" is no digest.
      "telegraf_docker_pushed_envelope_sample.json": {
        status: 202,
        events: ["image_push artifactory.invalid/sample_arch:sample_image"],
      },
    },
  },
];

describe("gateways: real registry payloads", () => {
  if (!sharedFixturesPresent()) {
    const copies = CORPORA.reduce((n, c) => n + Object.keys(c.expected).length, 0);
    before(() =>
      console.log(
        `    ../shared/fixtures not present: its real payloads not tried (the ${copies} copies in fixtures/registries were)`,
      ),
    );
  }
  for (const corpus of CORPORA) {
    for (const folder of realPayloads(corpus.gateway.kind)) payloadSuite(corpus, folder);
  }
});

function payloadSuite(corpus: Corpus, folder: RealPayloads): void {
  const { gateway } = corpus;
  describe(`${gateway.title} gateway: ${folder.label}`, () => {
    let db: TestStore;
    let server: RunningGateway;
    beforeEach(async () => {
      db = await openTestStore();
      server = await startGateway({ store: db.store, registries: [gateway] });
    });
    afterEach(async () => {
      await server?.close();
      await db?.close();
    });

    const files = readdirSync(folder.dir)
      .filter((f) => f.endsWith(".json"))
      .sort();
    it(
      folder.copies ? "has exactly the files this test knows about" : "has the files this test knows about",
      () => {
        if (folder.copies) expect(files).to.deep.equal(Object.keys(corpus.expected).sort());
        else expect(files).to.include.members(Object.keys(corpus.expected));
      },
    );

    for (const file of files) {
      const expected = corpus.expected[file];
      it(`${file}: ${expected ? `${expected.status}, ${expected.events?.length ?? 0} event(s)` : "answered without a 5xx"}`, async () => {
        const raw = readFileSync(join(folder.dir, file));
        const body = corpus.wrap ? corpus.wrap(raw) : raw;
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
        expect(stored.map((e) => `${e.type} ${e.image?.ref}`)).to.deep.equal(expected.events ?? []);
        for (const event of stored) expect(event.payload).to.equal(body.toString("utf8"));
        if (expected.errorPath) {
          expect((reply.json as { error: { path?: string } }).error.path).to.equal(expected.errorPath);
        }
      });
    }
  });
}
