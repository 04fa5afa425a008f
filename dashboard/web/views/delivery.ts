/**
 * One delivery: its outcome, the headers kept (never a credential: the gateway keeps none), the body
 * within its bound, the runs that followed, and the explain panel (whether each subscription takes its
 * pushes now, and why not). The admin token may send it through its gateway again (a replay).
 */
import { call, get } from "../api.js";
import { h, replace, statusBadge, when } from "../dom.js";
import type { View } from "../router.js";
import { mayAct } from "../session.js";
import type { Delivery, DeliveryExplain, Run } from "../types.js";
import { heldSummary } from "./deliveries.js";
import { verdictView } from "./explain.js";
import { guard, showFailure } from "./failure.js";

type DeliveryDetail = Delivery & { body: string; runs: Run[] };

interface Redelivered {
  delivery?: Delivery;
  answer?: { status: number };
}

export const deliveryView: View = (main, _route, [id = ""]) => {
  const header = h("section", { class: "delivery-header" });
  const explainPanel = h("section", { class: "explain-panel", "aria-label": "Explain" });
  const runsSection = h("section", { class: "delivery-runs" });
  const rest = h("section", { class: "delivery-request" });
  main.append(header, runsSection, explainPanel, rest);
  guard(main, async () => {
    const d = await get<DeliveryDetail>(`/deliveries/${encodeURIComponent(id)}`);
    replace(
      header,
      h("h1", {}, "Delivery ", h("code", {}, d.id), " ", statusBadge(d.outcome)),
      h(
        "dl",
        { class: "facts" },
        fact("Received", when(d.receivedAt)),
        fact("Registry", d.registry),
        fact("Project", h("a", { href: `#/deliveries?project=${encodeURIComponent(d.project)}` }, d.project)),
        d.replayOf &&
          fact("Replay of", h("a", { href: `#/deliveries/${d.replayOf}` }, h("code", {}, d.replayOf))),
        fact("What it held", h("div", {}, heldSummary(d))),
      ),
      mayAct() && redeliverBar(d),
    );
    replace(
      runsSection,
      h("h2", {}, "Runs that followed"),
      d.runs.length === 0
        ? h("p", {}, d.eventIds.length ? "No run yet." : "None: it created no event.")
        : h(
            "ul",
            { class: "runs-followed" },
            d.runs.map((r) =>
              h(
                "li",
                {},
                h("a", { href: `#/runs/${r.id}` }, h("code", {}, r.id)),
                " ",
                statusBadge(r.status),
              ),
            ),
          ),
    );
    replace(rest, requestView(d));
    const explained = await get<DeliveryExplain>(`/deliveries/${encodeURIComponent(id)}/explain`);
    replace(explainPanel, explainView(explained));
  });
};

function fact(term: string, value: Node | string) {
  return [h("dt", {}, term), h("dd", {}, value)];
}

function redeliverBar(d: Delivery): HTMLElement {
  const said = h("p", { role: "status" });
  const bar = h("div", { class: "actions" });
  if (d.bodyTruncated) {
    bar.append(
      h("p", { class: "help" }, "Only the first part of its body was kept: it cannot be sent again."),
    );
    return bar;
  }
  const button = h(
    "button",
    {
      type: "button",
      "data-action": "redeliver",
      title: "Send the stored headers and body through the gateway again, as a new delivery",
      onclick: () => {
        button.disabled = true;
        replace(said);
        call<Redelivered>("POST", `/deliveries/${encodeURIComponent(d.id)}/redeliver`, {}).then(
          (answer) => {
            button.disabled = false;
            replace(
              said,
              answer.delivery
                ? [
                    "Sent again as delivery ",
                    h(
                      "a",
                      { href: `#/deliveries/${answer.delivery.id}`, class: "replay-link" },
                      answer.delivery.id,
                    ),
                    " ",
                    statusBadge(answer.delivery.outcome),
                  ]
                : "Sent again.",
            );
          },
          (err: unknown) => {
            button.disabled = false;
            showFailure(bar, err);
          },
        );
      },
    },
    "Re-deliver",
  );
  bar.append(button, said);
  return bar;
}

function explainView(e: DeliveryExplain): HTMLElement[] {
  return [
    h("h2", {}, "Explain"),
    h("h3", {}, "Recorded when it came"),
    e.ignored.length === 0 && !e.problem
      ? h("p", {}, "Nothing of it was set aside.")
      : h(
          "ul",
          { class: "ignored" },
          e.ignored.map((i) => h("li", {}, i.what && h("code", {}, i.what), " ", i.reasons.join("; "))),
          e.problem && h("li", { class: "error" }, `${e.problem.message} [${e.problem.code}]`),
        ),
    h("h3", {}, "The subscriptions now"),
    !e.configured
      ? h("p", {}, `No project ${e.project} is configured now.`)
      : (e.now ?? []).length === 0
        ? h("p", {}, "It reported no image.")
        : h("div", { class: "verdicts" }, (e.now ?? []).map(verdictView)),
  ];
}

function requestView(d: DeliveryDetail): HTMLElement[] {
  let body = d.body;
  try {
    body = JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    // Not JSON (or cut short): shown as kept.
  }
  const headers = Object.entries(d.headers).sort(([a], [b]) => a.localeCompare(b));
  return [
    h("h2", {}, "Headers kept"),
    headers.length === 0
      ? h("p", {}, "None.")
      : h(
          "table",
          { class: "headers" },
          h(
            "tbody",
            {},
            headers.map(([name, value]) => h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, value))),
          ),
        ),
    h("h2", {}, "Body", d.bodyTruncated ? " (its first part only)" : ""),
    h("pre", { class: "payload" }, body),
  ];
}
