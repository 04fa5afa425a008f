/**
 * The delivery inbox: every webhook request the gateways authenticated, newest first, a page at a
 * time (50, or `limit`), with what it became (the events accepted, what a duplicate repeats, why an ignored push was
 * not taken). The filters live in the URL (`#/deliveries?project=…&outcome=ignored`), so a link can be
 * shared and back works; new deliveries arrive over the stream without a reload.
 */
import { get, query } from "../api.js";
import { h, replace, statusBadge, when, type Child } from "../dom.js";
import type { Route, View } from "../router.js";
import { openStream } from "../stream.js";
import { DELIVERY_OUTCOMES, type Delivery, type Project } from "../types.js";
import { explainForm } from "./explain.js";
import { guard } from "./failure.js";

export const DELIVERY_PAGE = 50;

const TEXT_FILTERS = ["registry", "repository", "tag"] as const;
const TIME_FILTERS = ["since", "until"] as const;
const FILTERS = ["project", "outcome", ...TEXT_FILTERS, ...TIME_FILTERS] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

function filtersOf(route: Route): Filters {
  const f = {} as Filters;
  for (const name of FILTERS) f[name] = route.params.get(name) ?? "";
  return f;
}

/** A `datetime-local` value (the viewer's time) as the API's RFC 3339; a wrong one is left out. */
function isoOf(local: string): string | undefined {
  const at = local ? Date.parse(local) : NaN;
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

export const deliveriesView: View = (main, route) => {
  const filters = filtersOf(route);
  const before = route.params.get("before") ?? "";
  // A page size other than the default is kept in the URL like the filters.
  const size = Number(route.params.get("limit"));
  const limit = Number.isInteger(size) && size >= 1 && size <= 1000 ? String(size) : undefined;
  const link = (params: Partial<Filters> & { before?: string | undefined }) =>
    `#/deliveries${query({ ...filters, before, limit, ...params })}`;
  const go = (params: Partial<Filters>) => (location.hash = link({ ...params, before: undefined }));

  const projectSelect = h(
    "select",
    { id: "filter-project", onchange: () => go({ project: projectSelect.value }) },
    h("option", { value: "" }, "all projects"),
  );
  const outcomeSelect = h(
    "select",
    { id: "filter-outcome", onchange: () => go({ outcome: outcomeSelect.value }) },
    h("option", { value: "" }, "any outcome"),
    DELIVERY_OUTCOMES.map((o) => h("option", { value: o, selected: o === filters.outcome }, o)),
  );
  const inputs = new Map<string, HTMLInputElement>();
  const field = (name: (typeof TEXT_FILTERS)[number] | (typeof TIME_FILTERS)[number], label: string) => {
    const input = h("input", {
      id: `filter-${name}`,
      name,
      value: filters[name],
      type: name === "since" || name === "until" ? "datetime-local" : "text",
    });
    inputs.set(name, input);
    return [h("label", { for: `filter-${name}` }, label), input];
  };
  const body = h("tbody");
  const rows = new Map<string, HTMLTableRowElement>();
  const paging = h("nav", { class: "paging", "aria-label": "Pages" });
  const explainSlot = h("div", { class: "explain-slot" });
  main.append(
    h("h1", {}, "Deliveries"),
    h(
      "form",
      {
        class: "filters",
        onsubmit: (e: Event) => {
          e.preventDefault();
          go(Object.fromEntries([...inputs].map(([name, input]) => [name, input.value.trim()])));
        },
      },
      h("label", { for: "filter-project" }, "Project"),
      projectSelect,
      field("registry", "Registry"),
      field("repository", "Repository"),
      field("tag", "Tag"),
      h("label", { for: "filter-outcome" }, "Outcome"),
      outcomeSelect,
      field("since", "From"),
      field("until", "To"),
      h("button", { type: "submit" }, "Filter"),
    ),
    h(
      "table",
      { class: "deliveries" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Delivery", "Received", "Registry", "Project", "Outcome", "What it held"].map((c) =>
            h("th", { scope: "col" }, c),
          ),
        ),
      ),
      body,
    ),
    paging,
    explainSlot,
  );

  const show = (delivery: Delivery, first: boolean) => {
    if (rows.has(delivery.id)) return;
    const row = deliveryRow(delivery);
    rows.set(delivery.id, row);
    if (first) body.prepend(row);
    else body.append(row);
  };
  const apiQuery = () =>
    query({
      project: filters.project,
      outcome: filters.outcome,
      registry: filters.registry,
      repository: filters.repository,
      tag: filters.tag,
      since: isoOf(filters.since),
      until: isoOf(filters.until),
      before,
      limit: limit ?? DELIVERY_PAGE,
    });
  const matches = (d: Delivery) =>
    (!filters.project || d.project === filters.project) &&
    (!filters.outcome || d.outcome === filters.outcome) &&
    (!filters.registry || d.registry === filters.registry) &&
    (!filters.repository ||
      d.images.some((i) => i.repository === filters.repository && (!filters.tag || i.tag === filters.tag))) &&
    (!filters.tag || d.images.some((i) => i.tag === filters.tag)) &&
    (!filters.since || Date.parse(d.receivedAt) >= Date.parse(isoOf(filters.since) ?? "")) &&
    (!filters.until || Date.parse(d.receivedAt) < Date.parse(isoOf(filters.until) ?? ""));

  const load = async () => {
    const { deliveries, next } = await get<{ deliveries: Delivery[]; next?: string }>(
      `/deliveries${apiQuery()}`,
    );
    rows.clear();
    replace(body);
    for (const d of deliveries) show(d, false);
    if (deliveries.length === 0) body.append(h("tr", {}, h("td", { colspan: 6 }, "No deliveries.")));
    replace(
      paging,
      before && h("a", { href: link({ before: undefined }) }, "Newest"),
      next && h("a", { href: link({ before: next }), rel: "next" }, "Older"),
    );
  };
  guard(main, load);
  guard(main, async () => {
    const { projects } = await get<{ projects: Project[] }>("/projects");
    for (const p of projects)
      projectSelect.append(h("option", { value: p.name, selected: p.name === filters.project }, p.name));
    if (projects.length > 0) replace(explainSlot, explainForm(projects, filters.project));
  });

  // An older page does not change; the newest takes in what the stream brings.
  if (before) return;
  let connectedBefore = false;
  const stream = openStream({
    query: () => "?deliveries=1",
    onState: (connected) => {
      if (connected && connectedBefore) guard(main, load);
      connectedBefore ||= connected;
    },
    onEvent: (event, data) => {
      if (event !== "delivery") return;
      const delivery = data as Delivery;
      if (!matches(delivery)) return;
      body.querySelector("tr:not([data-delivery])")?.remove();
      show(delivery, true);
    },
  });
  return () => stream.close();
};

function deliveryRow(d: Delivery): HTMLTableRowElement {
  return h(
    "tr",
    { "data-delivery": d.id, "data-outcome": d.outcome },
    h("td", {}, h("a", { href: `#/deliveries/${d.id}` }, d.id)),
    h("td", {}, when(d.receivedAt)),
    h("td", {}, d.registry),
    h("td", {}, d.project),
    h("td", {}, statusBadge(d.outcome), d.replayOf && h("span", { class: "replay" }, " replay")),
    h("td", { class: "held" }, heldSummary(d)),
  );
}

/** The images, then what became of them: events, what duplicates repeat, why pushes were ignored. */
export function heldSummary(d: Delivery): Child[] {
  const images = d.images.map((i) => (i.tag === undefined ? i.repository : `${i.repository}:${i.tag}`));
  return [
    images.length > 0 &&
      h(
        "div",
        { class: "images" },
        images.map((i) => h("code", {}, i)),
      ),
    d.eventIds.length > 0 &&
      h(
        "div",
        { class: "accepted" },
        `${d.eventIds.length} event${d.eventIds.length === 1 ? "" : "s"} accepted: `,
        d.eventIds.map(eventLink),
      ),
    d.duplicateOf.length > 0 && h("div", { class: "duplicates" }, "repeats ", d.duplicateOf.map(eventLink)),
    d.ignored.length > 0 &&
      h(
        "ul",
        { class: "ignored" },
        d.ignored.map((i) => h("li", {}, i.what && h("code", {}, i.what), " ", i.reasons.join("; "))),
      ),
    d.problem && h("div", { class: "error" }, `${d.problem.message} [${d.problem.code}]`),
  ];
}

/** A stored event, linked to its runs. */
function eventLink(id: string): HTMLElement {
  return h("a", { href: `#/runs${query({ event: id })}`, class: "event-link" }, h("code", {}, id));
}
