import { expect } from "chai";
import { judgeVerdict, pushToVerify, type ImagePushEvent, type ProjectConfig } from "../src/index.js";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;

function push(source: ImagePushEvent["source"], tag: string | undefined, digest?: string): ImagePushEvent {
  return {
    id: "01J00000000000000000000000",
    project: "deploy",
    source,
    type: "image_push",
    image: {
      registry: "registry.example.com",
      repository: "team/app",
      ...(tag ? { tag } : {}),
      ...(digest ? { digest } : {}),
      ref: "registry.example.com/team/app",
    },
    payload: "{}",
    deliveryId: "d",
    receivedAt: "2024-06-03T09:16:03.000Z",
  };
}

describe("verified webhooks: what to ask and what the answer means", () => {
  const project = {
    name: "deploy",
    subscriptions: [
      { registry: "harbor", repositories: ["team/*"], tags: ["v*"], verifyWith: "internal" },
      { registry: "harbor", repositories: [], tags: [] },
    ],
  } as unknown as ProjectConfig;

  it("asks with the account of the first subscription with verifyWith that takes the push", () => {
    expect(pushToVerify(project, push("harbor", "v1", A))).to.deep.equal({
      account: "internal",
      repository: "team/app",
      tag: "v1",
      claimed: A,
    });
    expect(
      pushToVerify(project, push("harbor", "latest", A)),
      "only the other subscription takes it",
    ).to.equal(undefined);
    expect(pushToVerify(project, push("quay", "v1", A)), "another registry").to.equal(undefined);
  });

  it("takes the registry's digest when the claim is the manifest's or its platform's, and refuses another", () => {
    const asked = { account: "internal", repository: "team/app", tag: "v1", claimed: A };
    expect(judgeVerdict(asked, { digest: A, platformDigest: B })).to.deep.equal({
      digest: A,
      platformDigest: B,
    });
    expect(judgeVerdict({ ...asked, claimed: B }, { digest: A, platformDigest: B })).to.have.property(
      "digest",
      A,
    );
    expect(judgeVerdict({ ...asked, claimed: B }, { digest: A, platformDigest: A })).to.deep.equal({
      refused: `the webhook claimed ${B}, but team/app:v1 is ${A} at registry "internal"`,
    });
    const { claimed: _claimed, ...unclaimed } = asked;
    expect(judgeVerdict(unclaimed, { digest: A }), "a webhook without a digest").to.deep.equal({ digest: A });
    expect(judgeVerdict(asked, { unreachable: "down" })).to.deep.equal({ unreachable: "down" });
  });
});
