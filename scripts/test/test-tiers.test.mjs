// The tiers of scripts/test-tiers.mjs: what `npm run test:unit` leaves out, and what it refuses.
import { expect } from "chai";
import { allTestFiles, INTEGRATION, selectTier, testName } from "../test-tiers.mjs";

const root = new URL("../..", import.meta.url).pathname;

describe("test tiers", () => {
  const files = allTestFiles(root);

  it("names test files by package and path under test/", () => {
    expect(testName("cli/dist/test/serve.test.js")).to.equal("cli/serve");
    expect(testName("worker/dist/test/sub/x.test.js")).to.equal("worker/sub/x");
    expect(testName("scripts/test/test-tiers.test.mjs")).to.equal("scripts/test-tiers");
  });

  it("runs every test file in the full tier, and leaves the integration tier out of the unit tier", () => {
    expect(selectTier(files, "all").files).to.deep.equal(files);
    const unit = selectTier(files, "unit").files.map(testName);
    expect(unit).to.include.members(["worker/sandbox-run", "gateways/shared-fixtures", "scripts/test-tiers"]);
    expect(unit).to.not.include.members(Object.keys(INTEGRATION));
    expect(unit.length + Object.keys(INTEGRATION).length).to.equal(files.length);
  });

  it("lists only test files that exist: a moved or renamed one is named", () => {
    expect(selectTier(files, "unit").stale).to.deep.equal([]);
    const moved = { ...INTEGRATION, "executors/docker-executor-renamed": "containers" };
    expect(selectTier(files, "unit", moved).stale).to.deep.equal(["executors/docker-executor-renamed"]);
    // A package run alone does not count the other packages' entries as missing.
    expect(selectTier(allTestFiles(root, ["gateways"]), "unit").stale).to.deep.equal([]);
  });

  it("runs one package's tests alone", () => {
    const gateways = allTestFiles(root, ["gateways"]);
    expect(gateways.length).to.be.greaterThan(0);
    expect(gateways.every((f) => f.startsWith("gateways/dist/test/"))).to.equal(true);
    expect(allTestFiles(root, ["scripts"])).to.deep.equal(["scripts/test/test-tiers.test.mjs"]);
  });
});
