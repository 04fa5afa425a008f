/**
 * The actions a run offers (POST /api/v1/runs/<id>/<action>), shown to the admin token only and only
 * when they apply: rerun a finished run, retry one that did not succeed (the jobs that succeeded are
 * reused), cancel one that is queued or running. The API decides in the end (409 when the event has
 * another run in flight); its refusal is shown beside the buttons.
 */
import { call } from "../api.js";
import { h } from "../dom.js";
import { mayAct } from "../session.js";
import type { Run } from "../types.js";
import { showFailure } from "./failure.js";

export interface RunAction {
  label: string;
  /** The path under /api/v1/runs/<id>/. */
  path: string;
  /** Whether it applies to a run in this state. */
  applies(run: Run): boolean;
  /** What the button's title says it does. */
  title: string;
}

const finished = (run: Run) => run.status !== "queued" && run.status !== "running";

export const RUN_ACTIONS: RunAction[] = [
  {
    label: "Rerun",
    path: "rerun",
    applies: finished,
    title: "Run the event again from the start, as a new run",
  },
  {
    label: "Retry",
    path: "retry",
    applies: (run) => finished(run) && run.status !== "succeeded",
    title: "Run the event again, reusing the jobs that succeeded in this run",
  },
  {
    label: "Cancel",
    path: "cancel",
    applies: (run) => !finished(run) && !run.cancelRequestedBy,
    title: "Stop this run: a queued run ends at once, a running one once its worker has stopped its jobs",
  },
];

/**
 * The buttons for `run`. `onAnswer` is given the run the API answered with: a rerun's or retry's new
 * run (the run page goes to it), or this run as a cancel left it (marked, or already cancelled).
 */
export function runActions(run: Run, onAnswer: (run: Run) => void): HTMLElement | undefined {
  const actions = RUN_ACTIONS.filter((a) => a.applies(run));
  if (!mayAct() || actions.length === 0) return undefined;
  const bar = h("div", { class: "actions" });
  for (const action of actions) {
    const button = h(
      "button",
      {
        type: "button",
        "data-action": action.path,
        title: action.title,
        onclick: () => {
          button.disabled = true;
          call<{ run: Run }>("POST", `/runs/${encodeURIComponent(run.id)}/${action.path}`, {}).then(
            ({ run: answered }) => onAnswer(answered),
            (err: unknown) => {
              button.disabled = false;
              showFailure(bar, err);
            },
          );
        },
      },
      action.label,
    );
    bar.append(button);
  }
  return bar;
}
