/** The one translation of a registry API's failure: code, wait, the registry's reason, no secret. */
import { expect } from "chai";
import { httpErrorOf } from "@bosun/core";
import { failureOf, unreachable } from "../src/hooks/errors.js";

const context = {
  title: "Harbor",
  doing: "listing the webhook policies of project library",
  secrets: ["s3cret-token"],
};
const answer = (status: number, text: string, headers: Record<string, string> = {}) => ({
  status,
  headers: new Headers(headers),
  text,
});

describe("webhook failures: translated once", () => {
  it("reads Retry-After in seconds or as an HTTP date", () => {
    expect(failureOf(answer(429, "", { "retry-after": "30" }), context).retryAfterSeconds).to.equal(30);
    const at = new Date(Date.now() + 90_000).toUTCString();
    expect(failureOf(answer(429, "", { "retry-after": at }), context).retryAfterSeconds).to.be.within(85, 90);
    expect(failureOf(answer(429, ""), context).retryAfterSeconds).to.equal(undefined);
  });

  it("takes the registry's own words from the error shapes registries answer with", () => {
    const harbor = failureOf(answer(403, '{"errors":[{"code":"FORBIDDEN","message":"forbidden"}]}'), context);
    expect(harbor.code).to.equal("WEBHOOK_FORBIDDEN");
    expect(harbor.message).to.equal(
      "Harbor answered HTTP 403 (the login may not manage webhooks here) while listing the webhook policies of project library: forbidden",
    );
    const quay = failureOf(
      answer(404, '{"status":404,"error_message":"Not Found","detail":"Not Found"}'),
      context,
    );
    expect(quay.message).to.match(/: Not Found$/);
    const github = failureOf(
      answer(
        422,
        '{"message":"Validation Failed","errors":[{"message":"Hook already exists on this repository"}]}',
      ),
      context,
    );
    expect(github.message).to.match(/: Validation Failed; Hook already exists on this repository$/);
    const text = failureOf(answer(502, "<html>Bad gateway</html>"), context);
    expect(text.code).to.equal("WEBHOOK_API_ERROR");
    expect(text.message).to.match(/: <html>Bad gateway<\/html>$/);
  });

  it("keeps a long reason to one short line", () => {
    const error = failureOf(answer(500, `${"x".repeat(5000)}\n\nmore`), context);
    expect(error.message.length).to.be.below(500);
    expect(error.message).to.not.include("\n");
  });

  it("takes every form of a secret out, the registry's echo included", () => {
    const secret = "s3cret token/+";
    const basic = Buffer.from(`robot$bosun:${secret}`).toString("base64");
    const query = new URLSearchParams({ access_token: secret }).toString();
    const echo = JSON.stringify({
      message: `bad ${secret}, ${encodeURIComponent(secret)}, ${query}, ${basic}`,
    });
    const error = failureOf(answer(400, echo), { ...context, secrets: [secret, basic] });
    expect(error.message).to.not.include("s3cret").and.not.include(basic);
  });

  it("answers the caller with the code's HTTP status: 502 for the registry's failures, 503 when rate limited", () => {
    expect(httpErrorOf(failureOf(answer(401, ""), context)).status).to.equal(502);
    expect(httpErrorOf(failureOf(answer(409, ""), context)).status).to.equal(409);
    expect(httpErrorOf(failureOf(answer(429, ""), context))).to.deep.equal({
      code: "WEBHOOK_RATE_LIMITED",
      status: 503,
      headers: { "Retry-After": "5" },
    });
    expect(httpErrorOf(unreachable(new Error("connect ECONNREFUSED"), context)).code).to.equal(
      "WEBHOOK_UNREACHABLE",
    );
  });
});
