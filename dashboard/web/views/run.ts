/**
 * One run: its event (with the payload as received), its jobs as a timeline (status, exit code,
 * duration), and the output of the job chosen (`#/runs/<id>/jobs/<job>`) or of the script itself
 * (`#/runs/<id>/logs`), all followed live over the stream while the run goes on.
 */
import { get } from "../api.js";
import { duration, h, replace, statusBadge, when } from "../dom.js";
import type { View } from "../router.js";
import { openStream } from "../stream.js";
import type { Job, LogEntry, Run, StoredEvent } from "../types.js";
import { guard } from "./failure.js";
import { createLogView, type LogView } from "./log-view.js";
import { runActions } from "./run-actions.js";

export const runView: View = (main, _route, [runId = "", which = "", jobRef = ""]) => {
  const header = h("section", { class: "run-header" });
  const eventSection = h("section", { class: "event" });
  const timeline = h("ol", { class: "timeline", "aria-label": "Jobs" });
  const logSlot = h("section", { class: "log-slot" });
  main.append(header, eventSection, h("h2", {}, "Jobs"), timeline, logSlot);
  let run: Run | undefined;
  const jobs = new Map<string, Job>();
  let log: LogView | undefined;
  let selected: string | undefined; // a job id, or "" for the script's own output
  let lastSeq = 0;
  const pending: LogEntry[] = [];

  const renderHeader = () => {
    if (!run) return;
    replace(
      header,
      h("h1", {}, "Run ", h("code", {}, run.id), " ", statusBadge(run.status)),
      h(
        "dl",
        { class: "facts" },
        fact("Project", h("a", { href: `#/runs?project=${encodeURIComponent(run.project)}` }, run.project)),
        fact("Handler", run.handler),
        fact("Attempt", String(run.attempt)),
        run.rerunOf && fact("Rerun of", runLink(run.rerunOf)),
        run.retryOf && fact("Retry of", runLink(run.retryOf)),
        run.requestedBy && fact("Asked for by", run.requestedBy),
        run.cancelRequestedBy && fact("Cancel asked by", run.cancelRequestedBy),
        fact("Created", when(run.createdAt)),
        fact("Duration", duration(run.createdAt, run.finishedAt)),
      ),
      run.error && h("p", { class: "error" }, `${run.error.message} [${run.error.code}]`),
      runActions(run, (answered) => {
        if (answered.id !== runId) {
          location.hash = `#/runs/${encodeURIComponent(answered.id)}`;
          return;
        }
        run = answered;
        renderHeader();
      }),
    );
  };

  const renderTimeline = () => {
    if (!run) return;
    const start = Date.parse(run.createdAt);
    const list = [...jobs.values()];
    const end = Math.max(
      Date.now(),
      ...list.map((j) => Date.parse(j.finishedAt ?? j.startedAt ?? j.createdAt)),
      run.finishedAt ? Date.parse(run.finishedAt) : 0,
    );
    const span = Math.max(end - start, 1);
    const items = list.map((job) => {
      const from = Date.parse(job.startedAt ?? job.createdAt) - start;
      const to = (job.finishedAt ? Date.parse(job.finishedAt) : Date.now()) - start;
      const bar = h("span", { class: `bar status-${job.status}`, "aria-hidden": "true" });
      bar.style.marginLeft = `${(100 * Math.max(from, 0)) / span}%`;
      bar.style.width = `${Math.max((100 * (to - from)) / span, 0.5)}%`;
      const current = selected === job.id;
      return h(
        "li",
        { "data-job": job.id, class: current ? "selected" : undefined },
        h(
          "a",
          { href: `#/runs/${runId}/jobs/${job.id}`, "aria-current": current ? "page" : undefined },
          job.name,
        ),
        statusBadge(job.status),
        h("span", { class: "exit" }, job.exitCode === undefined ? "" : `exit ${job.exitCode}`),
        h(
          "span",
          { class: "took" },
          job.reusedFrom
            ? h(
                "a",
                { class: "reused", href: `#/runs/${job.reusedFrom.runId}/jobs/${job.reusedFrom.jobId}` },
                "reused",
              )
            : duration(job.startedAt, job.finishedAt),
        ),
        h("span", { class: "track" }, bar),
        job.error && h("span", { class: "error" }, job.error.message),
      );
    });
    replace(
      timeline,
      items.length ? items : h("li", { class: "empty" }, "No jobs."),
      h(
        "li",
        { class: selected === "" ? "selected" : undefined },
        h(
          "a",
          { href: `#/runs/${runId}/logs`, "aria-current": selected === "" ? "page" : undefined },
          "Script output",
        ),
      ),
    );
  };

  const showLogs = (entries: readonly LogEntry[]) => {
    for (const e of entries) {
      lastSeq = Math.max(lastSeq, e.seq);
      if (selected !== undefined && (e.jobId ?? "") === selected) log?.append(e.text);
    }
  };

  const chooseLog = () => {
    if (which === "jobs") {
      const job = [...jobs.values()].find((j) => j.id === jobRef || j.name === jobRef);
      if (!job) return;
      selected = job.id;
      if (job.reusedFrom) {
        // It did not run here: its output is that of the job it reused.
        const { runId: ran, jobId } = job.reusedFrom;
        replace(
          logSlot,
          h("h2", {}, `Output of ${job.name}`),
          h(
            "p",
            { class: "reused-note" },
            "Reused from an earlier run: ",
            h("a", { href: `#/runs/${ran}/jobs/${jobId}` }, "its output there"),
            ".",
          ),
        );
        return;
      }
      log = createLogView(`${runId}-${job.name}.log`);
      replace(logSlot, h("h2", {}, `Output of ${job.name}`), log.element);
    } else if (which === "logs") {
      selected = "";
      log = createLogView(`${runId}-script.log`);
      replace(logSlot, h("h2", {}, "Script output"), log.element);
    }
  };

  let stream: ReturnType<typeof openStream> | undefined;
  let closed = false;
  guard(main, async () => {
    const detail = await get<Run & { jobs: Job[] }>(`/runs/${encodeURIComponent(runId)}`);
    const { jobs: list, ...rest } = detail;
    run = rest;
    for (const j of list) jobs.set(j.id, j);
    chooseLog();
    renderHeader();
    renderTimeline();
    if (closed) return;
    // Everything after seq 0 arrives over the stream: the lines so far, then each new one.
    stream = openStream({
      query: () => `?run=${encodeURIComponent(runId)}&after=${lastSeq}`,
      onEvent: (event, data) => {
        if (event === "run" && (data as Run).id === runId) {
          run = data as Run;
          renderHeader();
          renderTimeline();
        } else if (event === "job") {
          const job = data as Job;
          jobs.set(job.id, job);
          if (selected === undefined && which === "jobs") chooseLog();
          renderTimeline();
          showLogs(pending.splice(0));
        } else if (event === "logs") {
          if (which === "jobs" && selected === undefined) pending.push(...(data as LogEntry[]));
          else showLogs(data as LogEntry[]);
        }
      },
    });
    const event = await get<StoredEvent>(`/events/${encodeURIComponent(run.eventId)}`);
    replace(eventSection, eventView(event));
  });
  return () => {
    closed = true;
    stream?.close();
  };
};

function runLink(id: string) {
  return h("a", { href: `#/runs/${encodeURIComponent(id)}` }, h("code", {}, id));
}

function fact(term: string, value: Node | string) {
  return [h("dt", {}, term), h("dd", {}, value)];
}

function eventView(event: StoredEvent) {
  let payload = event.payload ?? "";
  try {
    payload = JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    // Not JSON (or empty): shown as received.
  }
  return [
    h("h2", {}, "Event"),
    h(
      "dl",
      { class: "facts" },
      fact("Event", h("code", {}, event.id)),
      fact("Source", event.source),
      fact("Type", event.type),
      event.image && fact("Image", h("code", {}, event.image.ref ?? event.image.repository)),
      event.image?.digest && fact("Digest", h("code", {}, event.image.digest)),
      fact("Delivery", h("code", {}, event.deliveryId)),
      fact("Received", when(event.receivedAt)),
    ),
    h("details", {}, h("summary", {}, "Payload"), h("pre", { class: "payload" }, payload)),
  ];
}
