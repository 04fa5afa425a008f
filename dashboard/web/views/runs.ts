/**
 * The runs, newest first, a page at a time (`before` the last run shown), by project and status, or
 * of one event (`event`, linked from a delivery). New runs and status changes arrive over the stream
 * without a reload.
 */
import { get, query } from "../api.js";
import { duration, h, replace, statusBadge, when } from "../dom.js";
import type { View } from "../router.js";
import { openStream } from "../stream.js";
import { RUN_STATUSES, type Project, type Run } from "../types.js";
import { guard } from "./failure.js";

export const PAGE_SIZE = 50;

export const runsView: View = (main, route) => {
  const project = route.params.get("project") ?? "";
  const status = route.params.get("status") ?? "";
  const before = route.params.get("before") ?? "";
  const event = route.params.get("event") ?? "";
  const link = (params: Record<string, string | undefined>) =>
    `#/runs${query({ project, status, event, ...params })}`;
  const go = (params: Record<string, string>) => (location.hash = link({ ...params, before: undefined }));

  const projectSelect = h(
    "select",
    { id: "filter-project", onchange: () => go({ project: projectSelect.value }) },
    h("option", { value: "" }, "all projects"),
  );
  const statusSelect = h(
    "select",
    { id: "filter-status", onchange: () => go({ status: statusSelect.value }) },
    h("option", { value: "" }, "any status"),
    RUN_STATUSES.map((s) => h("option", { value: s, selected: s === status }, s.replace(/_/g, " "))),
  );
  const body = h("tbody");
  const rows = new Map<string, HTMLTableRowElement>();
  const paging = h("nav", { class: "paging", "aria-label": "Pages" });
  main.append(
    h("h1", {}, "Runs"),
    h(
      "form",
      { class: "filters", onsubmit: (e: Event) => e.preventDefault() },
      h("label", { for: "filter-project" }, "Project"),
      projectSelect,
      h("label", { for: "filter-status" }, "Status"),
      statusSelect,
      event &&
        h(
          "span",
          { class: "event-filter" },
          "of event ",
          h("code", {}, event),
          " ",
          h("a", { href: link({ event: undefined, before: undefined }) }, "all events"),
        ),
    ),
    h(
      "table",
      { class: "runs" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Run", "Project", "Status", "Created", "Duration"].map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      body,
    ),
    paging,
  );

  const rowOf = (run: Run) =>
    h(
      "tr",
      { "data-run": run.id, "data-status": run.status },
      h("td", {}, h("a", { href: `#/runs/${run.id}` }, run.id)),
      h("td", {}, run.project),
      h("td", {}, statusBadge(run.status)),
      h("td", {}, when(run.createdAt)),
      h("td", {}, duration(run.createdAt, run.finishedAt)),
    );
  const show = (run: Run, first: boolean) => {
    const row = rowOf(run);
    const old = rows.get(run.id);
    rows.set(run.id, row);
    if (old) old.replaceWith(row);
    else if (first) body.prepend(row);
    else body.append(row);
  };
  const matches = (run: Run) =>
    (!project || run.project === project) &&
    (!status || run.status === status) &&
    (!event || run.eventId === event);

  const load = async () => {
    const { runs } = await get<{ runs: Run[] }>(
      `/runs${query({ project, status, event, before, limit: PAGE_SIZE })}`,
    );
    rows.clear();
    replace(body);
    for (const run of runs) show(run, false);
    if (runs.length === 0) body.append(h("tr", {}, h("td", { colspan: 5 }, "No runs yet.")));
    replace(
      paging,
      before && h("a", { href: link({ before: undefined }) }, "Newest"),
      runs.length === PAGE_SIZE && h("a", { href: link({ before: runs.at(-1)!.id }), rel: "next" }, "Older"),
    );
  };
  guard(main, load);
  guard(main, async () => {
    const { projects } = await get<{ projects: Project[] }>("/projects");
    for (const p of projects)
      projectSelect.append(h("option", { value: p.name, selected: p.name === project }, p.name));
  });

  // A page of older runs does not change; the newest page takes in what the stream brings.
  if (before) return;
  let connectedBefore = false;
  const stream = openStream({
    query: () => "",
    onState: (connected) => {
      // After a reconnect, what happened meanwhile is read again.
      if (connected && connectedBefore) guard(main, load);
      connectedBefore ||= connected;
    },
    onEvent: (event, data) => {
      if (event !== "run") return;
      const run = data as Run;
      if (rows.has(run.id)) {
        if (matches(run)) show(run, true);
        else rows.get(run.id)!.remove();
      } else if (matches(run)) {
        body.querySelector("tr:not([data-run])")?.remove();
        show(run, true);
      }
    },
  });
  return () => stream.close();
};
