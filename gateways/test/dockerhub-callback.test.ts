import { expect } from "chai";
import type { ImagePushEvent, Run } from "@bosun/core";
import { dockerHubCallback } from "../src/index.js";

const event = (callback_url: unknown, source: ImagePushEvent["source"] = "dockerhub"): ImagePushEvent => ({
  id: "01EVENT",
  project: "hub",
  source,
  type: "image_push",
  image: { registry: "docker.io", repository: "team/app", tag: "v1", ref: "docker.io/team/app:v1" },
  payload: JSON.stringify({ callback_url, push_data: { tag: "v1" } }),
  deliveryId: "d",
  receivedAt: "2026-01-01T00:00:00Z",
});
const run = (status: Run["status"], error?: Run["error"]): Run => ({
  id: "01RUN",
  eventId: "01EVENT",
  project: "hub",
  attempt: 1,
  handler: "script",
  status,
  createdAt: "2026-01-01T00:00:00Z",
  ...(error ? { error } : {}),
});
const HOOK = "https://registry.hub.docker.com/u/team/app/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/";

describe("Docker Hub callback_url", () => {
  it("answers a finished run with its state, within Docker Hub's limits", () => {
    const ok = dockerHubCallback(event(HOOK), run("succeeded"))!;
    expect(ok.url).to.equal(HOOK);
    expect(ok.body).to.deep.equal({
      state: "success",
      description: "Bosun run 01RUN succeeded",
      context: "Bosun project hub",
    });
    const failed = dockerHubCallback(
      event(HOOK),
      run("failed", { code: "SCRIPT_FAILED", message: "x".repeat(400) }),
    )!;
    expect(failed.body.state).to.equal("failure");
    expect(failed.body.description).to.have.length(255);
    expect(dockerHubCallback(event(HOOK), run("timed_out"))!.body.state).to.equal("failure");
    expect(dockerHubCallback(event(HOOK), run("cancelled"))!.body.state).to.equal("error");
  });

  it("calls only Docker Hub's own hosts, over HTTPS", () => {
    for (const url of [
      "http://registry.hub.docker.com/u/team/app/hook/x/",
      "https://registry.hub.docker.com.attacker.example/hook/",
      "https://attacker.example/?registry.hub.docker.com",
      "https://registry.hub.docker.com:8443/hook/",
      "https://127.0.0.1/hook/",
      "https://user@evil.example@hub.docker.com/",
      "not a url",
      42,
      null,
    ]) {
      const made = dockerHubCallback(event(url), run("succeeded"));
      if (made)
        expect(new URL(made.url).hostname, String(url)).to.be.oneOf([
          "registry.hub.docker.com",
          "hub.docker.com",
        ]);
      if (typeof url === "string" && !url.startsWith("https://user@")) expect(made, url).to.equal(undefined);
    }
    expect(dockerHubCallback(event("https://hub.docker.com/hook/x/"), run("succeeded"))).not.to.equal(
      undefined,
    );
  });

  it("sends nothing for other registries or runs still going", () => {
    expect(dockerHubCallback(event(HOOK, "quay"), run("succeeded"))).to.equal(undefined);
    expect(dockerHubCallback(event(HOOK), run("running"))).to.equal(undefined);
  });
});
