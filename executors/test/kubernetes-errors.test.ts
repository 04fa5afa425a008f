import { expect } from "chai";
import { ApiException } from "@kubernetes/client-node";
import { BosunError, isErrorCode } from "@bosun/core";
import { apiError, PodSpecError } from "../src/kubernetes/errors.js";

describe("kubernetes executor: errors", () => {
  const doing = "creating pod bosun-x in namespace jobs";

  it("turns a refused call into a BosunError with a registered KUBERNETES_* code", () => {
    const body = JSON.stringify({ kind: "Status", message: 'pods is forbidden: User "bosun"' });
    const err = apiError(new ApiException(403, "Forbidden", body, {}), doing, "https://k8s:6443");
    expect(err).to.be.instanceOf(BosunError);
    expect(err.code).to.equal("KUBERNETES_FORBIDDEN");
    expect(err.message).to.equal(`${doing}: pods is forbidden: User "bosun" (HTTP 403)`);
  });

  it("turns an unreachable server into EXECUTOR_UNAVAILABLE, and a bad spec into KUBERNETES_INVALID_JOB", () => {
    const refused = Object.assign(new Error("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    const err = apiError(refused, doing, "https://k8s:6443");
    expect(err).to.be.instanceOf(BosunError);
    expect(err.code).to.equal("EXECUTOR_UNAVAILABLE");
    const spec = new PodSpecError("host path /x is outside kubernetes.pathClaims");
    expect(spec).to.be.instanceOf(BosunError);
    expect(isErrorCode(spec.code) && spec.code).to.equal("KUBERNETES_INVALID_JOB");
  });
});
