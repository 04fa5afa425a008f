/**
 * The actions a run offers (rerun, retry, cancel: POST /api/v1/runs/<id>/<action>), shown to the admin
 * token only. The API has none yet: an entry here is all a new one needs.
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
}

export const RUN_ACTIONS: RunAction[] = [];

export function runActions(run: Run): HTMLElement | undefined {
  const actions = RUN_ACTIONS.filter((a) => a.applies(run));
  if (!mayAct() || actions.length === 0) return undefined;
  const bar = h("div", { class: "actions" });
  for (const action of actions)
    bar.append(
      h(
        "button",
        {
          type: "button",
          onclick: () =>
            void call("POST", `/runs/${encodeURIComponent(run.id)}/${action.path}`, {}).catch(
              (err: unknown) => showFailure(bar, err),
            ),
        },
        action.label,
      ),
    );
  return bar;
}
