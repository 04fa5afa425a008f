/** Which failures to open the store at start are waited out, and which end the start at once. */
import { expect } from "chai";
import { BosunError, StoreSchemaTooNewError, StoreUnavailableError } from "@bosun/core";
import { retryable } from "../src/server/store-wait.js";

const driverError = (code: string) => Object.assign(new Error(`driver ${code}`), { code });

describe("opening the store at start: what is retried", () => {
  it("retries an unreachable server, a refused connection, a missing database or a starting server", () => {
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "3D000", "57P03"]) {
      expect(
        retryable(new StoreUnavailableError("opening failed", { cause: driverError(code) })),
        code,
      ).to.equal(true);
    }
    const refused = new AggregateError([driverError("ECONNREFUSED")], "connect");
    expect(retryable(new StoreUnavailableError("opening failed", { cause: refused }))).to.equal(true);
  });

  it("does not retry a refused password or user, a newer schema, or anything else", () => {
    for (const code of ["28P01", "28000"]) {
      expect(
        retryable(new StoreUnavailableError("opening failed", { cause: driverError(code) })),
        code,
      ).to.equal(false);
    }
    expect(retryable(new StoreSchemaTooNewError("schema 999"))).to.equal(false);
    expect(retryable(new BosunError("CONFIG_INVALID", "bad"))).to.equal(false);
    expect(retryable(new Error("bug"))).to.equal(false);
  });
});
