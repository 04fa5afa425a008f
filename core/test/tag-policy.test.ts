import { expect } from "chai";
import {
  artifactTagKind,
  compileSubscription,
  compileTagPolicy,
  judgeTag,
  parseConfig,
  planPush,
  policyValue,
  explainSubscription,
  type Subscription,
  type TagPolicy,
} from "../src/index.js";

const policy = (p: TagPolicy) => compileTagPolicy(p);
const sub = (s: Partial<Subscription>) =>
  compileSubscription({ registry: "dockerhub", repositories: [], tags: [], ...s });
const push = (tag: string | undefined) => ({ registry: "dockerhub" as const, repository: "myorg/app", tag });
/** The tag each push would leave as the best one, taking pushes in order as the store does. */
const bestAfter = (p: TagPolicy, tags: string[]) => {
  const compiled = policy(p);
  let best: string | undefined;
  for (const tag of tags) if (judgeTag(compiled, tag, best).take) best = tag;
  return best;
};

describe("tag policies (Flux's ImagePolicy)", () => {
  it("extracts with Go's named groups and $name, ${name}, $1 and $$ as regexp.Expand does", () => {
    const p = policy({ pattern: "^v(?P<ver>.*)-prod$", extract: "$ver", order: "semver" });
    expect(policyValue(p, "v1.2.3-prod")).to.deep.equal({ value: "1.2.3" });
    expect(policyValue(p, "v1.2.3-dev")).to.deep.equal({
      reason: "v1.2.3-dev does not match the policy's pattern ^v(?P<ver>.*)-prod$",
    });
    const ts = policy({ pattern: "^main-[a-f0-9]+-(?P<ts>[0-9]+)", extract: "${ts}", order: "numerical" });
    expect(policyValue(ts, "main-abc1234-1700000000")).to.deep.equal({ value: "1700000000" });
    const numbered = policy({ pattern: "^(r)([0-9]+)$", extract: "$2$$", order: "alphabetical" });
    expect(policyValue(numbered, "r12")).to.deep.equal({ value: "12$" });
    const missing = policy({ pattern: "^x(?<a>[0-9]+)$", extract: "$b-$", order: "alphabetical" });
    expect(policyValue(missing, "x1")).to.deep.equal({ value: "-$" });
  });

  it("semver: the highest version in the range is best; pre-releases only when the range names one", () => {
    const p: TagPolicy = { order: "semver", range: ">=1.0.0 <2.0.0" };
    expect(bestAfter(p, ["v1.2.0", "v1.10.0", "v1.3.0", "2.0.0", "v1.11.0-rc.1", "latest"])).to.equal(
      "v1.10.0",
    );
    expect(bestAfter({ order: "semver", range: ">=1.11.0-rc.0" }, ["v1.10.0", "v1.11.0-rc.1"])).to.equal(
      "v1.11.0-rc.1",
    );
    expect(policyValue(policy(p), "0.9.0")).to.deep.equal({
      reason: "0.9.0 is outside the range >=1.0.0 <2.0.0",
    });
    expect(policyValue(policy(p), "latest")).to.deep.equal({ reason: "latest is not a semantic version" });
  });

  it("numerical and alphabetical: asc takes the highest value, desc the lowest", () => {
    expect(bestAfter({ order: "numerical" }, ["9", "10", "2", "abc"])).to.equal("10");
    expect(bestAfter({ order: "numerical", direction: "desc" }, ["9", "10", "2"])).to.equal("2");
    expect(bestAfter({ order: "alphabetical" }, ["9", "10", "2"])).to.equal("9");
    expect(bestAfter({ order: "alphabetical", direction: "desc" }, ["b", "a", "c"])).to.equal("a");
    expect(policyValue(policy({ order: "numerical" }), "1.5e3")).to.deep.equal({ value: "1.5e3" });
  });

  it("says in words why a tag does not become the best tag", () => {
    const p = policy({ order: "semver" });
    expect(judgeTag(p, "v1.2.0", "v1.3.0")).to.deep.equal({
      take: false,
      reason: "v1.2.0 is older than the best tag v1.3.0",
    });
    expect(judgeTag(p, "v1.3.0", "v1.3.0")).to.deep.equal({
      take: false,
      reason: "v1.3.0 is already the best tag",
    });
    expect(judgeTag(p, "1.3.0", "v1.3.0")).to.deep.equal({
      take: false,
      reason: "1.3.0 is the same version as the best tag v1.3.0",
    });
    expect(judgeTag(policy({ order: "numerical" }), "7", "8")).to.deep.equal({
      take: false,
      reason: "7 ranks below the best tag 8",
    });
    expect(judgeTag(p, "v1.4.0", "v1.3.0")).to.deep.equal({ take: true });
    expect(judgeTag(p, "v1.0.0", undefined)).to.deep.equal({ take: true });
  });
});

describe("signature, attestation and SBOM tags", () => {
  const digest = "e5e6ab676ea98d35fa4d840f2d994a125e509219897c94a79b2dd31bce875c08";

  it("are recognised by cosign's suffixes and the referrers fallback tag", () => {
    expect(
      [".sig", ".att", ".sbom", ""].map((suffix) => artifactTagKind(`sha256-${digest}${suffix}`)),
    ).to.deep.equal(["signature", "attestation", "SBOM", "referrers"]);
    for (const tag of ["v1.2.3", `sha256-${digest}.tar`, `sha256-${digest.slice(1)}.sig`, undefined])
      expect(artifactTagKind(tag), String(tag)).to.equal(undefined);
  });

  it("are skipped by every subscription unless it sets signatureTags, saying why", () => {
    expect(explainSubscription(sub({}), push(`sha256-${digest}.sig`))).to.deep.equal({
      takes: false,
      reason: `sha256-${digest}.sig is a signature tag (a subscription takes those with signatureTags: true)`,
    });
    expect(explainSubscription(sub({ signatureTags: true }), push(`sha256-${digest}.att`))).to.deep.equal({
      takes: true,
    });
  });
});

describe("planning a push's admission", () => {
  const semverPolicy = sub({ policy: { order: "semver" } });

  it("is taken always when a subscription without a policy takes it, and judged by each policy", () => {
    const plan = planPush([semverPolicy, sub({ tags: ["v*"] })], push("v1.0.0"));
    expect("admission" in plan && plan.admission.always).to.equal(true);
    expect("admission" in plan && plan.admission.policies.map((p) => p.key)).to.deep.equal([
      semverPolicy.key,
    ]);
  });

  it("gives the policy's reason when only a policy could have taken it, and never takes a digest-only push", () => {
    expect(planPush([semverPolicy], push("latest"))).to.deep.equal({
      reason: "latest is not a semantic version",
    });
    expect(planPush([semverPolicy], push(undefined))).to.deep.equal({
      reason: "a push without a tag has no place in a tag policy",
    });
  });

  it("gathers a digest's tags for the longest window of the runPer: digest subscriptions taking it", () => {
    const plan = planPush(
      [sub({ runPer: "digest", windowMs: 5_000 }), sub({ runPer: "digest", windowMs: 9_000 })],
      push("v1"),
    );
    expect(plan).to.deep.equal({ admission: { always: true, policies: [], gatherMs: 9_000 } });
  });

  it("keys a subscription's best tags by what it matches, not by its place in the list", () => {
    expect(sub({ policy: { order: "semver" } }).key).to.equal(semverPolicy.key);
    expect(sub({ policy: { order: "semver", range: ">=2" } }).key).to.not.equal(semverPolicy.key);
  });
});

describe("config: policy, signatureTags, runPer", () => {
  const config = (...lines: string[]) =>
    parseConfig(
      ["projects:", "  - name: a", "    script: ./a.js", "    subscriptions:", ...lines].join("\n"),
    );

  it("reads a Flux-style policy, the opt-in and runPer: digest with its window", () => {
    const r = config(
      "      - registry: dockerhub",
      "        policy: { pattern: '^v(?P<ver>.*)-prod$', extract: '$ver', order: semver, range: '>=1.0.0 <2.0.0' }",
      "        signatureTags: true",
      "        runPer: digest",
      "        window: 30s",
      "      - { registry: quay, runPer: digest }",
    );
    expect(r.errors).to.equal(undefined);
    expect(r.value!.projects[0]!.subscriptions).to.deep.equal([
      {
        registry: "dockerhub",
        repositories: [],
        tags: [],
        policy: { pattern: "^v(?P<ver>.*)-prod$", extract: "$ver", order: "semver", range: ">=1.0.0 <2.0.0" },
        signatureTags: true,
        runPer: "digest",
        windowMs: 30_000,
      },
      { registry: "quay", repositories: [], tags: [], runPer: "digest", windowMs: 10_000 },
    ]);
  });

  it("reads the examples of docs/configuration.md, which order their tags as they say", () => {
    const r = config(
      "      - registry: harbor",
      "        policy: { pattern: '^v(?P<ver>.*)-prod$', extract: '$ver', order: semver, range: '>=1.0.0 <2.0.0' }",
      "      - registry: gcr",
      "        policy: { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$', extract: '$ts', order: numerical }",
      "      - registry: quay",
      "        policy: { pattern: '^RELEASE\\.', order: alphabetical }",
    );
    expect(r.errors).to.equal(undefined);
    const [prod, main, dated] = r.value!.projects[0]!.subscriptions.map((s) => s.policy!);
    expect(bestAfter(prod!, ["v1.4.2-prod", "v1.10.0-prod", "v2.0.0-prod", "v1.9.0-dev"])).to.equal(
      "v1.10.0-prod",
    );
    expect(bestAfter(main!, ["main-ab12-1700000900", "main-cd34-1700000100"])).to.equal(
      "main-ab12-1700000900",
    );
    expect(bestAfter(dated!, ["RELEASE.2024-06-03", "RELEASE.2024-05-30", "latest"])).to.equal(
      "RELEASE.2024-06-03",
    );
  });

  it("refuses what does not belong together, a backtracking pattern and an unknown order", () => {
    const r = config(
      "      - { registry: dockerhub, policy: { order: numerical, range: '>=1' } }",
      "      - { registry: dockerhub, policy: { order: semver, direction: desc } }",
      "      - { registry: dockerhub, policy: { order: alphabetical, extract: '$1' } }",
      "      - { registry: dockerhub, policy: { order: semver, pattern: '^(?P<v>(a+)+)$' } }",
      "      - { registry: dockerhub, policy: { order: newest } }",
      "      - { registry: dockerhub, window: 5s }",
    );
    expect(r.errors!.map((e) => e.path)).to.deep.equal([
      "projects[0].subscriptions[0].policy.range",
      "projects[0].subscriptions[1].policy.direction",
      "projects[0].subscriptions[2].policy.extract",
      "projects[0].subscriptions[3].policy.pattern",
      "projects[0].subscriptions[4].policy.order",
      "projects[0].subscriptions[5].window",
    ]);
    expect(r.errors![3]!.message).to.include("exponential backtracking");
  });
});
