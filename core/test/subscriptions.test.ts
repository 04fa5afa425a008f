import { expect } from "chai";
import {
  compileSubscription,
  explainProject,
  explainSubscription,
  matchesGlobList,
  projectAccepts,
  subscriptionAccepts,
  type Subscription,
} from "../src/index.js";

const sub = (s: Partial<Subscription>) =>
  compileSubscription({ registry: "dockerhub", repositories: [], tags: [], ...s });
const push = (tag: string | undefined, repository = "myorg/webapp") => ({
  registry: "dockerhub" as const,
  repository,
  tag,
});

describe("subscriptions: project opt-in", () => {
  describe("tag globs with ! negation (Dispatch semantics)", () => {
    const table: [string[], string, boolean][] = [
      [[], "anything", true],
      [["v*"], "v1.2.3", true],
      [["v*"], "latest", false],
      [["!*-rc*"], "v1.2.3", true],
      [["!*-rc*"], "v1.2.3-rc1", false],
      [["!*-rc*", "!latest"], "latest", false],
      [["v*", "!*-rc*"], "v2.0.0", true],
      [["v*", "!*-rc*"], "v2.0.0-rc.1", false],
      [["v*", "!*-rc*"], "release", false],
      [["release", "v*"], "release", true],
      [["1.*"], "1.2.3", true],
      [["sha256-*.sig"], "sha256-abc.sig", true],
    ];
    for (const [globs, tag, expected] of table) {
      it(`${JSON.stringify(globs)} ${expected ? "accepts" : "refuses"} ${tag}`, () => {
        expect(matchesGlobList(tag, globs)).to.equal(expected);
        expect(subscriptionAccepts(sub({ tags: globs }), push(tag))).to.equal(expected);
      });
    }
  });

  it("repository globs: / is a separator, ** crosses it, ! excludes", () => {
    expect(subscriptionAccepts(sub({ repositories: ["myorg/*"] }), push("v1"))).to.equal(true);
    expect(subscriptionAccepts(sub({ repositories: ["myorg/*"] }), push("v1", "myorg/team/app"))).to.equal(
      false,
    );
    expect(subscriptionAccepts(sub({ repositories: ["myorg/**"] }), push("v1", "myorg/team/app"))).to.equal(
      true,
    );
    expect(
      subscriptionAccepts(sub({ repositories: ["myorg/*", "!myorg/scratch"] }), push("v1", "myorg/scratch")),
    ).to.equal(false);
    expect(subscriptionAccepts(sub({ repositories: ["other/*"] }), push("v1"))).to.equal(false);
  });

  it("names the registry kind: a Quay subscription does not take Docker Hub pushes", () => {
    expect(subscriptionAccepts(sub({ registry: "quay" }), push("v1"))).to.equal(false);
  });

  it("a tag pattern must match the whole tag as written", () => {
    const s = sub({ tagPattern: "^v[0-9]+\\.[0-9]+\\.[0-9]+$" });
    expect(subscriptionAccepts(s, push("v1.2.3"))).to.equal(true);
    expect(subscriptionAccepts(s, push("v1.2.3-rc1"))).to.equal(false);
    expect(subscriptionAccepts(s, push("latest"))).to.equal(false);
  });

  it("a tag pattern never runs on a tag longer than any registry takes", () => {
    const s = sub({ tagPattern: "^a" });
    expect(subscriptionAccepts(s, push("a".repeat(128)))).to.equal(true);
    expect(subscriptionAccepts(s, push("a".repeat(129)))).to.equal(false);
  });

  it("a semver range takes tags with or without v, and pre-releases only when the range names one", () => {
    const s = sub({ semver: ">=1.2.0 <2" });
    expect(["1.2.0", "v1.9.9", "1.4.1"].map((t) => subscriptionAccepts(s, push(t)))).to.deep.equal([
      true,
      true,
      true,
    ]);
    expect(
      ["1.1.9", "2.0.0", "v1.5.0-rc.1", "latest", "1.2"].map((t) => subscriptionAccepts(s, push(t))),
    ).to.deep.equal([false, false, false, false, false]);
    expect(subscriptionAccepts(sub({ semver: ">=1.5.0-rc.0" }), push("1.5.0-rc.1"))).to.equal(true);
  });

  it("every criterion must hold", () => {
    const s = sub({ repositories: ["myorg/*"], tags: ["!*-debug"], semver: "^1" });
    expect(subscriptionAccepts(s, push("1.4.0"))).to.equal(true);
    expect(subscriptionAccepts(s, push("1.4.0-debug"))).to.equal(false);
    expect(subscriptionAccepts(s, push("1.4.0", "else/app"))).to.equal(false);
  });

  it("a push by digest passes tag criteria only when there are none, or only negations", () => {
    expect(subscriptionAccepts(sub({}), push(undefined))).to.equal(true);
    expect(subscriptionAccepts(sub({ tags: ["!latest"] }), push(undefined))).to.equal(true);
    expect(subscriptionAccepts(sub({ tags: ["v*"] }), push(undefined))).to.equal(false);
    expect(subscriptionAccepts(sub({ semver: "*" }), push(undefined))).to.equal(false);
  });

  it("a project accepts a push when any of its subscriptions does", () => {
    const subs = [sub({ tags: ["v*"] }), sub({ registry: "quay", tags: ["release"] })];
    expect(projectAccepts(subs, push("v3"))).to.equal(true);
    expect(projectAccepts(subs, push("release"))).to.equal(false);
    expect(projectAccepts(subs, { registry: "quay", repository: "a/b", tag: "release" })).to.equal(true);
    expect(projectAccepts([], push("v3"))).to.equal(false);
  });

  describe("explainSubscription: why a subscription refuses a push", () => {
    const why = (s: Partial<Subscription>, p: ReturnType<typeof push>) => explainSubscription(sub(s), p);

    it("takes what subscriptionAccepts takes", () => {
      expect(why({ tags: ["v*"] }, push("v1"))).to.deep.equal({ takes: true });
    });

    it("names the criterion and the value it refused", () => {
      const table: [Partial<Subscription>, ReturnType<typeof push>, string][] = [
        [{ tags: ["v*", "!*-rc*"] }, push("v1.2-rc1"), "tag v1.2-rc1 excluded by !*-rc*"],
        [{ repositories: ["team/app*"] }, push("v1", "team/x"), "repository team/x does not match team/app*"],
        [{ tags: ["v*", "release"] }, push("latest"), "tag latest does not match v* or release"],
        [{ tags: ["v*"] }, push(undefined), "a push without a tag does not match v*"],
        [{ registry: "quay" }, push("v1"), "registry dockerhub is not this subscription's (quay)"],
        [{ tagPattern: "^v[0-9]+$" }, push("v1a"), "tag v1a does not match the pattern ^v[0-9]+$"],
        [{ semver: ">=1 <2" }, push("latest"), "tag latest is not a semantic version (range >=1 <2)"],
        [{ semver: ">=1 <2" }, push("v2.0.0"), "version 2.0.0 is outside the range >=1 <2"],
      ];
      for (const [s, p, reason] of table) expect(why(s, p)).to.deep.equal({ takes: false, reason });
    });

    it("agrees with subscriptionAccepts on every row of the glob table", () => {
      for (const tag of ["v1", "v1-rc1", "latest", "", "release"])
        for (const tags of [["v*"], ["!latest"], ["v*", "!*-rc*"], []]) {
          const s = sub({ tags });
          expect(explainSubscription(s, push(tag)).takes).to.equal(subscriptionAccepts(s, push(tag)));
        }
    });
  });

  describe("explainProject: why none of a project's subscriptions takes a push", () => {
    it("gives each subscription of the push's registry its reason, numbered as in the config", () => {
      const subs = [
        sub({ registry: "quay" }),
        sub({ tags: ["v*", "!*-rc*"] }),
        sub({ repositories: ["team/app*"] }),
      ];
      const verdict = explainProject(subs, push("v1.2-rc1", "team/x"));
      expect(verdict.takes).to.equal(false);
      expect(verdict.subscriptions).to.have.length(3);
      expect(verdict.reasons).to.deep.equal([
        "subscription 2: tag v1.2-rc1 excluded by !*-rc*",
        "subscription 3: repository team/x does not match team/app*",
      ]);
    });

    it("says so when no subscription names the registry", () => {
      const verdict = explainProject([sub({ registry: "dockerhub" })], {
        registry: "quay",
        repository: "a/b",
        tag: "v1",
      });
      expect(verdict.reasons).to.deep.equal(["no subscription for registry quay"]);
    });

    it("has no reasons when one takes it", () => {
      const verdict = explainProject([sub({ tags: ["x"] }), sub({})], push("v1"));
      expect(verdict).to.deep.include({ takes: true, reasons: [] });
      expect(verdict.subscriptions[1]).to.deep.equal({ takes: true });
    });
  });
});
