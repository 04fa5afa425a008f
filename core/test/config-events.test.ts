import { expect } from "chai";
import { acceptsEvent, parseConfig } from "../src/index.js";

const project = (...events: string[]) =>
  [
    "projects:",
    "  - name: webapp",
    "    script: ./a.js",
    "    subscriptions: [{ registry: dockerhub }]",
    ...events,
  ].join("\n");

describe("config: a project's events (created through the API)", () => {
  it("reads the sources and types a project takes; none by default", () => {
    const r = parseConfig(
      project(
        "    events:",
        "      - source: brigade.sh/cli",
        "        types: [exec, deploy]",
        "      - source: example.com/ci",
        '        types: ["*"]',
      ),
    );
    expect(r.errors).to.equal(undefined);
    const events = r.value!.projects[0]!.events;
    expect(events).to.deep.equal([
      { source: "brigade.sh/cli", types: ["exec", "deploy"] },
      { source: "example.com/ci", types: ["*"] },
    ]);
    expect(acceptsEvent(events, "brigade.sh/cli", "deploy")).to.equal(true);
    expect(acceptsEvent(events, "brigade.sh/cli", "ping")).to.equal(false);
    expect(acceptsEvent(events, "example.com/ci", "anything")).to.equal(true);
    expect(acceptsEvent(events, "brigade.sh/github", "exec")).to.equal(false);
    expect(parseConfig(project()).value!.projects[0]!.events).to.deep.equal([]);
  });

  it("refuses a bad source, a bad type and an entry without types, with path, expected and found", () => {
    const r = parseConfig(
      project(
        "    events:",
        '      - source: "brigade.sh cli"',
        "        types: [exec]",
        "      - source: brigade.sh/cli",
        '        types: ["de ploy"]',
        "      - source: brigade.sh/cli",
        "        types: []",
      ),
    );
    const byPath = Object.fromEntries(r.errors!.map((e) => [e.path, e]));
    expect(byPath["projects[0].events[0].source"]).to.include({
      message: "invalid event source",
      found: '"brigade.sh cli"',
    });
    expect(byPath["projects[0].events[0].source"]!.expected).to.contain("brigade.sh/cli");
    expect(byPath["projects[0].events[1].types[0]"]).to.include({
      message: "invalid event type",
      found: '"de ploy"',
    });
    expect(byPath["projects[0].events[1].types[0]"]!.expected).to.contain('"*"');
    expect(byPath["projects[0].events[2].types"]).to.include({
      message: "an events entry needs at least one type",
    });
  });
});
