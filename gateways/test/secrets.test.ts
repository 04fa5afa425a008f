import { expect } from "chai";
import { createHmac } from "node:crypto";
import { credentialsOf } from "../src/index.js";
import {
  authorizationMatches,
  basicPasswordMatches,
  bodySignatureMatches,
  queryTokenMatches,
  secretsEqual,
} from "../src/common/secrets.js";
import { ecrCredentialsMatch } from "../src/ecr/gateway.js";

describe("gateway credential checks", () => {
  it("compares secrets of any length, and never matches an empty secret", () => {
    expect(secretsEqual("abc", "abc")).to.equal(true);
    expect(secretsEqual("abc", "abcd")).to.equal(false);
    expect(secretsEqual("", "abc")).to.equal(false);
    expect(secretsEqual("", "")).to.equal(false);
    expect(secretsEqual(Buffer.from("é"), "é")).to.equal(true);
  });

  it("verifies a hex HMAC of the raw body with or without a prefix (GHCR, JFrog)", () => {
    const body = Buffer.from('{"action":"published"}');
    const sha256 = createHmac("sha256", "k3y").update(body).digest("hex");
    const sha1 = createHmac("sha1", "k3y").update(body).digest("hex");
    const check = (sig: string | undefined, algorithm: "sha1" | "sha256", prefix?: string, key = "k3y") =>
      bodySignatureMatches(body, key, sig, prefix === undefined ? { algorithm } : { algorithm, prefix });
    expect(check(`sha256=${sha256}`, "sha256", "sha256=")).to.equal(true);
    expect(check(`sha256=${sha256.toUpperCase()}`, "sha256", "sha256=")).to.equal(true);
    expect(check(sha256, "sha256")).to.equal(true);
    expect(check(`sha1=${sha1}`, "sha1", "sha1=")).to.equal(true);
    expect(check(sha256, "sha256", "sha256=")).to.equal(false);
    expect(check(`sha256=${sha256}`, "sha256", "sha256=", "other")).to.equal(false);
    expect(check(`sha256=${sha256}`, "sha256", "sha256=", "")).to.equal(false);
    expect(check(undefined, "sha256")).to.equal(false);
    expect(bodySignatureMatches(Buffer.from("{}"), "k3y", sha256, { algorithm: "sha256" })).to.equal(false);
  });

  it("reads Authorization as Bearer or verbatim, and a query token only when given once", () => {
    expect(authorizationMatches({ authorization: "Bearer s" }, "s")).to.equal(true);
    expect(authorizationMatches({ authorization: "Bearer s" }, "Bearer s")).to.equal(true);
    expect(authorizationMatches({ authorization: "s" }, "")).to.equal(false);
    expect(queryTokenMatches(new URLSearchParams("a=s"), ["a"], "s")).to.equal(true);
    expect(queryTokenMatches(new URLSearchParams("a=s&a=s"), ["a"], "s")).to.equal(false);
    expect(queryTokenMatches(new URLSearchParams("b=s"), ["a"], "s")).to.equal(false);
  });

  it("reads the Authorization scheme in any case (RFC 9110), after one or more spaces or tabs", () => {
    expect(
      ["Bearer s", "bearer s", "BEARER s", "bEaReR \t s"].map((h) => credentialsOf(h, "Bearer")),
    ).to.deep.equal(["s", "s", "s", "s"]);
    for (const header of ["Bearers", "Bearer", "Bearer   ", "Basic s", "Bear s", undefined]) {
      expect(credentialsOf(header, "Bearer"), String(header)).to.equal(undefined);
    }
    for (const header of ["bearer s", "BEARER s", "s"]) {
      expect(authorizationMatches({ authorization: header }, "s"), header).to.equal(true);
    }
    expect(authorizationMatches({ authorization: "bearer t" }, "s")).to.equal(false);
    const basic = Buffer.from("sns:s").toString("base64");
    for (const scheme of ["Basic", "basic", "BASIC"]) {
      expect(basicPasswordMatches({ authorization: `${scheme} ${basic}` }, "s"), scheme).to.equal(true);
      expect(ecrCredentialsMatch({ authorization: `${scheme} ${basic}` }, "s"), scheme).to.equal(true);
    }
    expect(basicPasswordMatches({ authorization: `Basic ${basic}!` }, "s")).to.equal(false);
  });
});
