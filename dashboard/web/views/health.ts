/** Whether the store can commit, and how many events wait for a worker and are being run. */
import { get } from "../api.js";
import { h, replace } from "../dom.js";
import type { View } from "../router.js";
import { guard } from "./failure.js";

interface Health {
  store: { status: string };
  queue?: { queued: number; running: number };
}

const REFRESH_MS = 5000;

export const healthView: View = (main) => {
  const facts = h("dl", { class: "facts health" });
  main.append(h("h1", {}, "Health"), facts);
  const load = async () => {
    const health = await get<Health>("/health");
    replace(
      facts,
      h("dt", {}, "Store"),
      h("dd", { "data-health": "store", class: `status status-${health.store.status}` }, health.store.status),
      h("dt", {}, "Queued events"),
      h("dd", { "data-health": "queued" }, health.queue ? String(health.queue.queued) : "unknown"),
      h("dt", {}, "Events being run"),
      h("dd", { "data-health": "running" }, health.queue ? String(health.queue.running) : "unknown"),
    );
  };
  guard(main, load);
  const timer = setInterval(() => guard(main, load), REFRESH_MS);
  return () => clearInterval(timer);
};
