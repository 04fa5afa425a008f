/** The container a job gets: bind mounts that cannot carry setuid binaries or devices into a job. */
import { expect } from "chai";
import type { JobSpec } from "@bosun/core";
import { containerConfig } from "../src/docker/container-config.js";

const spec = (fields: Partial<JobSpec> = {}): JobSpec => ({
  name: "j",
  image: "busybox",
  tasks: ["true"],
  env: {},
  labels: {},
  mounts: [
    { source: "/data/cache/p/j", target: "/mnt/brigade/cache" },
    { source: "/data/runs/r/storage", target: "/mnt/brigade/share", readOnly: true },
  ],
  ...fields,
});

describe("docker executor: container config", () => {
  it("on Podman, bind mounts are Binds with nosuid,nodev (and ro when asked)", () => {
    const host = containerConfig(spec({ dockerSocket: true }), {
      engine: "podman",
      engineSocket: "/run/podman.sock",
    }).HostConfig;
    expect(host).to.deep.include({
      Binds: [
        "/data/cache/p/j:/mnt/brigade/cache:rw,nosuid,nodev",
        "/data/runs/r/storage:/mnt/brigade/share:ro,nosuid,nodev",
        "/run/podman.sock:/var/run/docker.sock:rw,nosuid,nodev",
      ],
      Mounts: [],
    });
    expect(host).not.to.have.property("SecurityOpt");
  });

  it("on Docker, whose API has no nosuid for binds, a job with mounts runs with no-new-privileges", () => {
    const host = containerConfig(spec(), { engine: "docker" }).HostConfig as Record<string, unknown>;
    expect(host.Mounts).to.have.length(2);
    expect(host.SecurityOpt).to.deep.equal(["no-new-privileges"]);
    const bare = containerConfig(spec({ mounts: [] }), { engine: "docker" }).HostConfig;
    expect(bare).not.to.have.property("SecurityOpt");
  });

  it("on Podman, a path with a colon (which Binds cannot spell) falls back to Mounts and no-new-privileges", () => {
    const colon = spec({ mounts: [{ source: "/data/a:b", target: "/x" }] });
    const host = containerConfig(colon, { engine: "podman" }).HostConfig as Record<string, unknown>;
    expect(host.Mounts).to.deep.equal([{ Type: "bind", Source: "/data/a:b", Target: "/x", ReadOnly: false }]);
    expect(host.SecurityOpt).to.deep.equal(["no-new-privileges"]);
  });
});
