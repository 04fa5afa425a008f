/**
 * Scale-out on PostgreSQL under kills: two `bosun gateway` and two `bosun worker` processes share one
 * database while thousands of pushes arrive at both gateways; one gateway and one worker are SIGKILLed
 * mid-way and started again. Read back from the database itself: every accepted push is stored once,
 * every event ends with one succeeded run (earlier attempts abandoned, never two in progress at once),
 * and a project's concurrency limit held across both workers.
 */
import { expect } from "chai";
import pg from "pg";
import { startPostgres, type TestPostgres } from "@bosun/test-support";
import { BosunProcess } from "./support/bosun-process.js";
import { mostAtOnce, overlapping, type Interval } from "./support/intervals.js";
import { sendPushes } from "./support/push-load.js";

const TOKEN = "scale-out-token";
const PUSHES = 2_400;
/** Every fourth push goes to the project held to two runs at once. */
const LIMITED = "limited";
const LIMIT = 2;
const CONFIG = [
  // A short lease, so the killed worker's events are taken over within seconds.
  "worker: { lease: 3s, maxRuns: 8, pollInterval: 250ms }",
  "projects:",
  `  - { name: wide, script: ./wide.js, concurrency: 8, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }`,
  `  - { name: ${LIMITED}, script: ./limited.js, concurrency: ${LIMIT}, webhookToken: ${TOKEN}, subscriptions: [{ registry: dockerhub }] }`,
].join("\n");
/** The limited project's handler records when it started and ended, on the machine's clock. */
const FILES = {
  "wide.js": `const { events } = require("brigadier");\nevents.on("image_push", (e) => console.log("ran " + e.image.tag));\n`,
  "limited.js": [
    `const { events } = require("brigadier");`,
    `events.on("image_push", async () => {`,
    `  console.log("start " + Date.now());`,
    `  await new Promise((resolve) => setTimeout(resolve, 20));`,
    `  console.log("end " + Date.now());`,
    `});`,
  ].join("\n"),
};

interface RunRow {
  id: string;
  event_id: string;
  project: string;
  attempt: number;
  status: string;
  created_at: string;
  finished_at: string | null;
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe("scale-out on PostgreSQL: two gateways and two workers, one of each killed mid-way", function () {
  this.timeout(240_000);
  let server: TestPostgres;
  let db: pg.Client;
  const started: BosunProcess[] = [];

  before(async () => {
    server = await startPostgres();
    db = new pg.Client({ connectionString: server.url });
    await db.connect();
  });
  after(async () => {
    for (const p of started) await p.dispose();
    await db?.end();
    await server?.stop();
  });

  const start = async (command: string[]) => {
    const p = await BosunProcess.start({
      command,
      config: CONFIG,
      files: FILES,
      env: { BOSUN_STORE_URL: server.url },
    });
    started.push(p);
    return p;
  };

  it("stores every accepted push once and runs every event to one succeeded run within the limits", async () => {
    const gateways = [
      await start(["gateway", "--registry", "dockerhub"]),
      await start(["gateway", "--registry", "dockerhub"]),
    ];
    const workers = [await start(["worker"]), await start(["worker"])];
    const [doomedGateway, doomedWorker] = [gateways[0]!, workers[0]!];

    let killing: Promise<number> | undefined;
    /**
     * Mid-way, once the doomed worker has runs in progress (not only claims: a claim whose run is not
     * recorded yet, or whose run just ended, leaves nothing to abandon): SIGKILL it and a gateway,
     * then start both again.
     */
    const killMidway = async (): Promise<number> => {
      const pid = doomedWorker.child!.pid!;
      await until(
        "the doomed worker to have runs in progress",
        60_000,
        async () => {
          const { rows } = await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM events e JOIN runs r ON r.event_id = e.id
              WHERE e.state = 'running' AND e.lease_owner LIKE $1 AND r.status = 'running'`,
            [`%:${pid}:%`],
          );
          return rows[0]!.n >= 2 ? true : undefined;
        },
        10,
      );
      await Promise.all([doomedGateway.kill(), doomedWorker.kill()]);
      const killedAt = Date.now();
      await new Promise((r) => setTimeout(r, 500));
      await Promise.all([doomedGateway.restart(), doomedWorker.restart()]);
      return killedAt;
    };
    const load = await sendPushes({
      gateways,
      count: PUSHES,
      parallel: 12,
      token: TOKEN,
      pushOf: (i) =>
        i % 4 === 0
          ? { project: LIMITED, repository: "team/limited", tag: `t${i}` }
          : { project: "wide", repository: "team/wide", tag: `t${i}` },
      onAccepted: (n) => {
        if (n === PUSHES * 0.4) killing = killMidway();
      },
    });
    const killedAt = await killing!;

    // Every push that got a 2xx is stored exactly once, and nothing else is.
    const { rows: stored } = await db.query<{ project: string; tag: string; n: number }>(
      "SELECT project, image::json->>'tag' AS tag, count(*)::int AS n FROM events GROUP BY 1, 2",
    );
    expect(
      stored.filter((r) => r.n !== 1),
      "stored more than once",
    ).to.deep.equal([]);
    const storedTags = (project: string) =>
      stored
        .filter((r) => r.project === project)
        .map((r) => r.tag)
        .sort();
    for (const project of ["wide", LIMITED]) {
      expect(storedTags(project)).to.deep.equal([...load.accepted.get(project)!].sort());
    }
    expect(stored).to.have.length(PUSHES);

    await until("every event to be done", 150_000, async () => {
      const { rows } = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM events WHERE state <> 'done'",
      );
      return rows[0]!.n === 0 ? true : undefined;
    });
    const { rows: runs } = await db.query<RunRow>(
      "SELECT id, event_id, project, attempt, status, created_at, finished_at FROM runs ORDER BY event_id, attempt",
    );
    const byEvent = new Map<string, RunRow[]>();
    for (const r of runs) byEvent.set(r.event_id, [...(byEvent.get(r.event_id) ?? []), r]);
    expect(byEvent.size).to.equal(PUSHES);

    // One succeeded run per event, its last attempt; every earlier attempt abandoned. Attempts count
    // claims, so a claim the killed worker made before recording its run leaves a gap in them.
    const wrong = [...byEvent.values()].filter(
      (rs) =>
        rs.at(-1)!.status !== "succeeded" ||
        rs.slice(0, -1).some((r) => r.status !== "abandoned") ||
        rs.some((r, i) => i > 0 && r.attempt <= rs[i - 1]!.attempt),
    );
    expect(wrong.slice(0, 5), `${wrong.length} events without one succeeded run`).to.deep.equal([]);
    const abandoned = runs.filter((r) => r.status === "abandoned");
    expect(abandoned.length, "the killed worker's runs are abandoned").to.be.greaterThan(0);

    // No event ever had two runs in progress at once.
    const perEvent = [...byEvent.values()].flatMap((rs) =>
      overlapping(
        rs.map((r) => ({ id: r.id, start: Date.parse(r.created_at), end: Date.parse(r.finished_at!) })),
      ),
    );
    expect(perEvent, "runs of one event in progress at once").to.deep.equal([]);

    // The limited project never ran more than its limit at once, across both workers. A run the killed
    // worker left behind ran at most until the kill.
    const intervals = await handlerIntervals(db, LIMITED, killedAt);
    expect(intervals.length).to.be.at.least(PUSHES / 4);
    const peak = mostAtOnce(intervals);
    expect(peak.most, `at ${peak.at}: ${peak.ids.join(", ")}`).to.be.at.most(LIMIT);
    console.log(
      `      ${PUSHES} pushes, ${load.retried} resent, ${abandoned.length} runs abandoned, ` +
        `${LIMITED} peaked at ${peak.most} of ${LIMIT}`,
    );
  });
});

/** When each run of the project's handler started and ended, from its "start"/"end" log lines. */
async function handlerIntervals(db: pg.Client, project: string, killedAt: number): Promise<Interval[]> {
  const { rows } = await db.query<{ id: string; status: string; created_at: string; texts: string[] | null }>(
    `SELECT r.id, r.status, r.created_at, array_agg(l.text ORDER BY l.seq) FILTER (WHERE l.seq IS NOT NULL) AS texts
       FROM runs r LEFT JOIN logs l ON l.run_id = r.id AND l.stream = 'script'
      WHERE r.project = $1 GROUP BY r.id`,
    [project],
  );
  return rows.map((r) => {
    const text = (r.texts ?? []).join("");
    const mark = (name: string) => /(\d+)/.exec(text.split(`${name} `)[1] ?? "")?.[1];
    const started = mark("start");
    const ended = mark("end");
    if (r.status !== "abandoned" && (!started || !ended))
      throw new Error(`run ${r.id} logged ${JSON.stringify(text)}`);
    return {
      id: r.id,
      start: started ? Number(started) : Date.parse(r.created_at),
      end: ended ? Number(ended) : killedAt,
    };
  });
}
