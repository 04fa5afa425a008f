/** An executor's job slots: a cap on jobs at once, shared fairly between projects. */
import { expect } from "chai";
import { fairSlots, Slots } from "../src/slots.js";

describe("executor slots", () => {
  it("grants up to its size, then in order as slots are released", async () => {
    const slots = new Slots(2);
    const order: string[] = [];
    const a = await slots.acquire("p");
    const b = await slots.acquire("p");
    const c = slots.acquire("p").then((release) => (order.push("c"), release));
    const d = slots.acquire("p").then((release) => (order.push("d"), release));
    expect(slots.inUse).to.equal(2);
    a();
    a(); // releasing twice frees one slot only
    (await c)();
    b();
    (await d)();
    expect(order).to.deep.equal(["c", "d"]);
    expect(slots.inUse).to.equal(0);
  });

  it("a waiter whose signal aborts leaves the queue", async () => {
    const slots = new Slots(1);
    const held = await slots.acquire("p");
    const controller = new AbortController();
    const waiting = slots.acquire("p", controller.signal);
    controller.abort();
    await waiting.then(
      () => expect.fail("should not be granted"),
      () => undefined,
    );
    held();
    expect(slots.inUse).to.equal(0);
    expect(slots.waiting).to.equal(0);
  });

  it("while project A has 1,000 jobs queued, project B's first job gets the next free slot", async () => {
    const slots = new Slots(4);
    const granted: string[] = [];
    const running: (() => void)[] = [];
    const ask = (project: string) =>
      void slots.acquire(project).then((release) => {
        granted.push(project);
        running.push(release);
      });
    for (let i = 0; i < 1_004; i++) ask("A");
    await flush();
    expect(granted).to.have.length(4);
    ask("B");
    await flush();
    expect(slots.waiting).to.equal(1_001);
    running.shift()?.();
    await flush();
    expect(granted.slice(4)).to.deep.equal(["B"]);
    // Then turns alternate between the projects still waiting: A, and B's second job.
    ask("B");
    running.shift()?.();
    running.shift()?.();
    await flush();
    expect(granted.slice(5)).to.deep.equal(["A", "B"]);
  });

  it("one project holds at most its share, so another project starts at once even if the first floods", async () => {
    const slots = fairSlots(8);
    expect(slots.perKey).to.equal(6);
    const a = await Promise.all(Array.from({ length: 6 }, () => slots.acquire("A")));
    let seventh = false;
    void slots.acquire("A").then(() => (seventh = true));
    await flush();
    expect(seventh).to.equal(false);
    const b = await slots.acquire("B");
    expect(slots.inUse).to.equal(7);
    b();
    await flush();
    expect(seventh, "a slot B frees does not lift A over its share").to.equal(false);
    a[0]?.();
    await flush();
    expect(seventh).to.equal(true);
  });

  it("derives each project's share from the cap: all but a quarter, at least one", () => {
    expect([1, 2, 3, 4, 8, 100].map((n) => fairSlots(n).perKey)).to.deep.equal([1, 1, 2, 3, 6, 75]);
    expect(fairSlots(8, 2).perKey).to.equal(2);
  });
});

const flush = () => new Promise((resolve) => setImmediate(resolve));
