import { expect } from "chai";
import { ownerKey } from "@bosun/core";
import type { CredentialStore, SealedCredential } from "../src/credentials/store.js";

/** What a CredentialStore implementation hands the contract suite for each test. */
export interface CredentialStoreSubject {
  /** A store over empty data. */
  store: CredentialStore;
  /** Another store over the same data (after `store`'s owner is closed); leave out when not possible. */
  reopen?: () => Promise<CredentialStore>;
  cleanup: () => Promise<void>;
}

/** A login as stored: the sealed value is opaque to stores, so any string stands in for it here. */
export function sealedLogin(overrides: Partial<SealedCredential> = {}): Omit<SealedCredential, "updatedAt"> {
  return {
    project: "webapp",
    kind: "docker",
    target: "registry.example.com:5000",
    username: "alice",
    sealed: "v1:opaque",
    ...overrides,
  };
}

/** The behaviour every CredentialStore must show, whatever holds the data. */
export function credentialStoreContract(name: string, open: () => Promise<CredentialStoreSubject>): void {
  describe(`CredentialStore contract: ${name}`, function () {
    let subject: CredentialStoreSubject;
    let store: CredentialStore;

    beforeEach(async () => {
      subject = await open();
      store = subject.store;
    });
    afterEach(async () => subject.cleanup());

    it("put returns the summary, and list shows it without the sealed value", async () => {
      const summary = await store.put(sealedLogin());
      expect(summary).to.include({ project: "webapp", kind: "docker", target: "registry.example.com:5000" });
      expect(Date.parse(summary.updatedAt)).to.be.closeTo(Date.now(), 60_000);
      const listed = await store.list("webapp");
      expect(listed).to.deep.equal([summary]);
      expect(listed[0]).not.to.have.property("sealed");
      expect(JSON.stringify(await store.list())).not.to.include("v1:opaque");
    });

    it("put again for the same project, kind and target replaces the login", async () => {
      await store.put(sealedLogin());
      await store.put(sealedLogin({ username: "bob", sealed: "v1:second" }));
      expect((await store.list()).map((c) => c.username)).to.deep.equal(["bob"]);
      expect((await store.sealedFor("webapp")).map((c) => c.sealed)).to.deep.equal(["v1:second"]);
    });

    it("docker and git logins to the same host are separate", async () => {
      await store.put(sealedLogin({ kind: "git", target: "github.com" }));
      await store.put(sealedLogin({ kind: "docker", target: "github.com" }));
      expect((await store.list("webapp")).map((c) => c.kind)).to.deep.equal(["docker", "git"]);
    });

    it("remove deletes one login and says whether there was one", async () => {
      await store.put(sealedLogin());
      await store.put(sealedLogin({ target: "docker.io" }));
      expect(await store.remove("webapp", "docker", "registry.example.com:5000")).to.equal(true);
      expect(await store.remove("webapp", "docker", "registry.example.com:5000")).to.equal(false);
      expect(await store.remove("webapp", "git", "docker.io")).to.equal(false);
      expect((await store.list()).map((c) => c.target)).to.deep.equal(["docker.io"]);
    });

    it("each project sees only its own logins", async () => {
      await store.put(sealedLogin({ project: "a", sealed: "v1:a" }));
      await store.put(sealedLogin({ project: "b", sealed: "v1:b", username: "bob" }));
      await store.put(sealedLogin({ project: "a", kind: "git", target: "github.com", sealed: "v1:a-git" }));
      expect((await store.sealedFor("a")).map((c) => c.sealed)).to.deep.equal(["v1:a", "v1:a-git"]);
      expect((await store.sealedFor("b")).map((c) => c.sealed)).to.deep.equal(["v1:b"]);
      expect(await store.sealedFor("c")).to.deep.equal([]);
      expect((await store.list("b")).map((c) => c.username)).to.deep.equal(["bob"]);
      expect((await store.list()).map((c) => c.project)).to.deep.equal(["a", "a", "b"]);

      await store.remove("a", "docker", "registry.example.com:5000");
      expect((await store.sealedFor("b")).map((c) => c.sealed)).to.deep.equal(["v1:b"]);
    });

    it("creates, lists and removes service accounts; removing one takes its logins and nothing else", async () => {
      const created = await store.createServiceAccount("team-b");
      expect(created?.name).to.equal("team-b");
      expect(Date.parse(created!.createdAt)).to.be.closeTo(Date.now(), 60_000);
      expect(await store.createServiceAccount("team-b"), "a second create").to.equal(undefined);
      await store.createServiceAccount("team-a");
      expect((await store.listServiceAccounts()).map((a) => a.name)).to.deep.equal(["team-a", "team-b"]);

      const account = ownerKey({ serviceAccount: "team-b" });
      await store.put(sealedLogin({ project: account, sealed: "v1:account" }));
      await store.put(sealedLogin({ project: account, kind: "git", target: "github.com", sealed: "v1:git" }));
      await store.put(sealedLogin({ project: "team-b", sealed: "v1:project-of-that-name" }));
      await store.put(sealedLogin({ project: ownerKey({ serviceAccount: "team-a" }), sealed: "v1:a" }));
      expect((await store.sealedFor(account)).map((c) => c.sealed)).to.deep.equal(["v1:account", "v1:git"]);

      expect(await store.removeServiceAccount("team-b")).to.equal(true);
      expect(await store.removeServiceAccount("team-b")).to.equal(false);
      expect((await store.listServiceAccounts()).map((a) => a.name)).to.deep.equal(["team-a"]);
      expect(await store.sealedFor(account)).to.deep.equal([]);
      expect((await store.list()).map((c) => c.project)).to.deep.equal(["serviceaccount/team-a", "team-b"]);
    });

    it("keeps logins across a reopen", async function () {
      if (!subject.reopen) this.skip();
      await store.put(sealedLogin({ sealed: "v1:kept" }));
      const again = await subject.reopen!();
      expect((await again.sealedFor("webapp")).map((c) => c.sealed)).to.deep.equal(["v1:kept"]);
    });
  });
}
