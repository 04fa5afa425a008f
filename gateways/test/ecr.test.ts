import { expect } from "chai";
import { ecr } from "../src/ecr/gateway.js";
import { registryContract } from "./contract.js";
import { ownFixture } from "./support/fixtures.js";

const HOST = "210987654321.dkr.ecr.eu-west-1.amazonaws.com";

/** The push in push.json, the same whether EventBridge posts it or SNS wraps it. */
const PUSH_3_1_0 = {
  image: {
    registry: HOST,
    repository: "payments/api",
    tag: "3.1.0",
    digest: "sha256:221cfff9d3bee9d13ce15877a7417bcf49c54faa3e93c45c6df9174b83cc7064",
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    pushedAt: "2024-06-04T14:03:11Z",
    ref: `${HOST}/payments/api:3.1.0`,
  },
  deliveryId: "4f6e1a52-9c1d-4b0e-8d7a-3e2f10c9a001",
};

registryContract({
  gateway: ecr,
  authorize: (request, token) => ({ ...request, headers: { ...request.headers, "x-webhook-secret": token } }),
  fixtures: [
    {
      file: "push.json",
      pushes: [PUSH_3_1_0],
    },
    {
      file: "delete.json",
      pushes: [
        {
          type: "image_delete",
          image: {
            registry: HOST,
            repository: "payments/api",
            tag: "3.0.2",
            digest: "sha256:785492fd479cbae9d22c2badf0faac10179afdb81179ef199bb29b41025563e4",
            pushedAt: "2024-06-04T15:20:45Z",
            ref: `${HOST}/payments/api:3.0.2`,
          },
          deliveryId: "0b7d2c4e-61aa-4f3a-9e55-7c8d9e0f1a22",
        },
      ],
    },
    { file: "push_failure.json", pushes: [], ignored: 1 },
    { file: "image_scan.json", pushes: [], ignored: 1 },
    {
      file: "sns_notification_push.json",
      contentType: "text/plain; charset=UTF-8",
      pushes: [PUSH_3_1_0],
    },
    {
      file: "sns_subscription_confirmation.json",
      contentType: "text/plain; charset=UTF-8",
      pushes: [],
      ignored: 1,
    },
  ],
});

type Event = Record<string, unknown> & { detail: Record<string, unknown> };
const pushEvent = (): Event => JSON.parse(ownFixture("ecr", "push.json").toString("utf8")) as Event;
const parse = (event: unknown) =>
  ecr.parse({ headers: {}, query: new URLSearchParams(), body: Buffer.from(JSON.stringify(event)) });
const withDetail = (detail: Record<string, unknown>) => {
  const event = pushEvent();
  return parse({ ...event, detail: { ...event.detail, ...detail } });
};

describe("Amazon ECR gateway: EventBridge events", () => {
  it("ignores failed actions, other action types, scan events and other sources, saying why", () => {
    const reasons = [
      withDetail({ result: "FAILURE" }),
      withDetail({ "action-type": "REPLICATE" }),
      parse({ ...pushEvent(), "detail-type": "ECR Scan Resource Change" }),
      parse({ ...pushEvent(), source: "aws.s3" }),
    ].map((r) => r.value?.ignored[0]);
    expect(reasons.map((i) => i?.path)).to.deep.equal([
      "detail.result",
      "detail.action-type",
      "detail-type",
      "source",
    ]);
    for (const item of reasons) expect(item?.reason).to.be.a("string").and.not.equal("");
  });

  it("reads a push by digest (no image-tag) as an image_push without a tag", () => {
    const image = withDetail({ "image-tag": undefined }).value?.pushes[0]?.image;
    expect(image).not.to.have.property("tag");
    expect(image?.ref).to.equal(
      `${HOST}/payments/api@sha256:221cfff9d3bee9d13ce15877a7417bcf49c54faa3e93c45c6df9174b83cc7064`,
    );
  });

  it("builds the host from account and region, .amazonaws.com.cn in China", () => {
    const china = parse({ ...pushEvent(), region: "cn-northwest-1" }).value?.pushes[0]?.image.registry;
    expect(china).to.equal("210987654321.dkr.ecr.cn-northwest-1.amazonaws.com.cn");
    const gov = parse({ ...pushEvent(), region: "us-gov-west-1" }).value?.pushes[0]?.image.registry;
    expect(gov).to.equal("210987654321.dkr.ecr.us-gov-west-1.amazonaws.com");
    expect(parse({ ...pushEvent(), account: "12345" }).errors?.[0]).to.include({ path: "account" });
    expect(parse({ ...pushEvent(), region: "../x" }).errors?.[0]).to.include({ path: "region" });
  });

  it("names the field that is missing or invalid", () => {
    expect(parse({ hello: "world" }).errors?.[0]).to.include({ path: "detail-type" });
    expect(parse({ ...pushEvent(), source: 1 }).errors?.[0]).to.include({ path: "source" });
    expect(parse({ ...pushEvent(), detail: [] }).errors?.[0]).to.include({ path: "detail" });
    expect(withDetail({ result: undefined }).errors?.[0]).to.include({ path: "detail.result" });
    expect(withDetail({ "repository-name": "" }).errors?.[0]).to.include({ path: "detail.repository-name" });
    expect(withDetail({ "repository-name": "Payments" }).errors?.[0]).to.include({
      path: "detail.repository-name",
    });
    expect(withDetail({ "image-tag": "-x" }).errors?.[0]).to.include({ path: "detail.image-tag" });
    expect(withDetail({ "image-digest": "nope" }).errors?.[0]).to.include({ path: "detail.image-digest" });
    const neither = withDetail({ "image-tag": undefined, "image-digest": undefined });
    expect(neither.errors?.[0]).to.include({ path: "detail.image-digest" });
  });

  it("leaves out an unusable time and a delete's media type", () => {
    expect(parse({ ...pushEvent(), time: "soon" }).value?.pushes[0]?.image).not.to.have.property("pushedAt");
    const deleted = withDetail({ "action-type": "DELETE" }).value?.pushes[0];
    expect(deleted?.type).to.equal("image_delete");
    expect(deleted?.image).not.to.have.property("mediaType");
  });

  it("takes the token from X-Webhook-Secret or Authorization, never from the URL", () => {
    const auth = (headers: Record<string, string>, query = "") =>
      ecr.authenticator.reads === "head" &&
      ecr.authenticator.authenticate({ headers, query: new URLSearchParams(query) }, "t0ken");
    expect(auth({ "x-webhook-secret": "t0ken" })).to.equal(true);
    expect(auth({ authorization: "Bearer t0ken" })).to.equal(true);
    expect(auth({ authorization: "t0ken" })).to.equal(true);
    expect(auth({ "x-webhook-secret": "nope", authorization: "Bearer t0ken" })).to.equal(true);
    expect(auth({ "x-webhook-secret": "nope" })).to.equal(false);
    expect(auth({ "x-webhook-secret": "" })).to.equal(false);
    expect(auth({}, "secret=t0ken")).to.equal(false);
    expect(auth({})).to.equal(false);
  });
});

describe("Amazon ECR gateway: events forwarded by SNS", () => {
  const parse = (body: unknown) =>
    ecr.parse({
      headers: { "content-type": "text/plain; charset=UTF-8" },
      query: new URLSearchParams(),
      body: Buffer.from(JSON.stringify(body)),
    });
  const envelope = (fields: object) => ({
    Type: "Notification",
    MessageId: "m-1",
    TopicArn: "arn:aws:sns:eu-west-1:210987654321:ecr",
    ...fields,
  });
  const event = JSON.parse(ownFixture("ecr", "push.json").toString("utf8")) as Record<string, unknown>;

  it("reads the EventBridge event inside Message, and names its fields under Message", () => {
    expect(parse(envelope({ Message: JSON.stringify(event) })).value?.pushes).to.have.length(1);
    const noRegion = { ...event, region: "nowhere" };
    expect(parse(envelope({ Message: JSON.stringify(noRegion) })).errors?.[0]).to.include({
      path: "Message.region",
    });
    expect(parse(envelope({ Message: "not json" })).errors?.[0]).to.include({ path: "Message" });
    expect(parse(envelope({ Message: event })).errors?.[0]).to.include({ path: "Message" });
  });

  it("ignores confirmations and other SNS message types", () => {
    for (const Type of ["SubscriptionConfirmation", "UnsubscribeConfirmation", "Other"]) {
      const r = parse(envelope({ Type, Message: "text" }));
      expect(r.value?.pushes, Type).to.deep.equal([]);
      expect(r.value?.ignored[0]?.path, Type).to.equal("Type");
    }
  });

  it("accepts HTTP Basic credentials whose password is the token, and challenges for them", () => {
    const basic = (credentials: string) =>
      ecr.authenticator.reads === "head" &&
      ecr.authenticator.authenticate(
        {
          headers: { authorization: `Basic ${Buffer.from(credentials).toString("base64")}` },
          query: new URLSearchParams(),
        },
        "t0ken",
      );
    expect(basic("sns:t0ken")).to.equal(true);
    expect(basic(":t0ken")).to.equal(true);
    expect(basic("sns:other")).to.equal(false);
    expect(basic("t0ken")).to.equal(false);
    expect(ecr.authenticationChallenge).to.match(/^Basic /);
  });
});
