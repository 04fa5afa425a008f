import { expect } from "chai";
import { registryHostKey } from "../src/index.js";

describe("registryHostKey: one name per registry host", function () {
  it("lower-cases, drops the default HTTPS port and names Docker Hub's hosts docker.io", function () {
    expect(registryHostKey("Registry.Example.com:443")).to.equal("registry.example.com");
    expect(registryHostKey("registry.example.com:5000")).to.equal("registry.example.com:5000");
    expect(registryHostKey("127.0.0.1:5443")).to.equal("127.0.0.1:5443");
    for (const hub of ["docker.io", "index.docker.io", "registry-1.docker.io", "Registry.Hub.Docker.com"])
      expect(registryHostKey(hub), hub).to.equal("docker.io");
  });
});
