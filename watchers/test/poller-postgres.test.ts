import { expect } from "chai";
import { parseConfig, type ServerConfig } from "@bosun/core";
import { openPostgresStore, type PostgresStoreWithCredentials } from "@bosun/store";
import { startPostgres, type TestPostgres } from "@bosun/test-support";
import { Poller, type PollOutcome, type ScanResult } from "../src/index.js";
import { startStandin, type Standin } from "./support/registry-standin.js";

const LOGIN = { username: "watcher", password: "standin-secret" };

function scans(outcomes: PollOutcome[]): ScanResult[] {
  for (const o of outcomes) if ("error" in o) throw o.error;
  return outcomes as ScanResult[];
}

describe("poller: several processes on one PostgreSQL store", function () {
  this.timeout(60_000);
  let postgres: TestPostgres;
  let standin: Standin;
  const stores: PostgresStoreWithCredentials[] = [];

  before(async function () {
    postgres = await startPostgres();
    standin = await startStandin(LOGIN, 100);
  });
  after(async function () {
    for (const s of stores) await s.close();
    await standin?.stop();
    await postgres?.stop();
  });

  it("scans each repository in one process at a time, and fires each change once", async function () {
    const repositories = ["r0", "r1", "r2", "r3", "r4", "r5"].map((r) => `team/${r}`);
    for (const r of repositories) standin.image(r, "v1", `${r}-1`);
    const config: ServerConfig = parseConfig(
      [
        "registries:",
        `  - { name: standin, address: "${standin.host}", insecure: true, repositories: [${repositories.join(", ")}], username: ${LOGIN.username}, password: ${LOGIN.password} }`,
        "projects:",
        "  - { name: deploy, script: ./a.js, subscriptions: [{ registry: poll, fireOnFirstScan: true }] }",
      ].join("\n"),
      { file: "/srv/bosun/bosun.yaml" },
    ).value!;
    // Three processes, each with its own pool: as three `bosun worker` replicas.
    for (let i = 0; i < 3; i++) stores.push(await openPostgresStore({ url: postgres.url }));
    const pollers = stores.map(
      (store, i) =>
        new Poller({
          store,
          accounts: config.registries!,
          projects: () => config.projects,
          owner: `worker-${i}`,
        }),
    );
    const rounds = await Promise.all(pollers.map((p) => p.pollNow()));
    const byRepository = new Map<string, string[]>();
    rounds.forEach((round, i) =>
      scans(round)
        .filter((r) => !r.leased)
        .forEach((r) =>
          byRepository.set(r.repository, [...(byRepository.get(r.repository) ?? []), `worker-${i}`]),
        ),
    );
    expect([...byRepository.keys()].sort()).to.deep.equal(repositories);
    for (const [repository, scanners] of byRepository) expect(scanners, repository).to.have.length(1);
    const events = await stores[0]!.listEvents({ project: "deploy", limit: 100 });
    expect(events.map((e) => e.image?.repository).sort()).to.deep.equal(repositories);
    for (const p of pollers) await p.stop();
  });
});
