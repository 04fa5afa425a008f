/**
 * The configured projects: what each subscribes to, and its recent outcomes (links to the runs). The
 * admin token may also trigger a push through a project's gateway; a read-only token sees no form.
 */
import { call, get, query } from "../api.js";
import { h, statusBadge } from "../dom.js";
import type { View } from "../router.js";
import { mayAct } from "../session.js";
import type { Project, Run } from "../types.js";
import { guard, showFailure } from "./failure.js";

const RECENT = 10;

export const projectsView: View = (main) => {
  const list = h("div", { class: "projects" });
  main.append(h("h1", {}, "Projects"), list);
  guard(main, async () => {
    const { projects } = await get<{ projects: Project[] }>("/projects");
    if (projects.length === 0) list.append(h("p", {}, "No projects are configured."));
    for (const project of projects) {
      const recent = h("ol", { class: "recent", "aria-label": `Recent runs of ${project.name}` });
      list.append(
        h(
          "article",
          { class: "project", "data-project": project.name },
          h("h2", {}, h("a", { href: `#/runs${query({ project: project.name })}` }, project.name)),
          h(
            "ul",
            { class: "subscriptions" },
            project.subscriptions.map((s) =>
              h(
                "li",
                {},
                h("strong", {}, s.registry),
                s.repositories?.length ? ` repositories ${s.repositories.join(", ")}` : " every repository",
                s.tags?.length ? `, tags ${s.tags.join(", ")}` : "",
              ),
            ),
            project.events.map((e) =>
              h("li", {}, h("strong", {}, e.source), ` ${e.types?.join(", ") ?? "any type"}`),
            ),
          ),
          h("h3", {}, "Recent runs"),
          recent,
          mayAct() && triggerForm(project),
        ),
      );
      guard(main, async () => {
        const { runs } = await get<{ runs: Run[] }>(
          `/runs${query({ project: project.name, limit: RECENT })}`,
        );
        if (runs.length === 0) recent.append(h("li", {}, "none yet"));
        for (const run of runs)
          recent.append(
            h("li", {}, h("a", { href: `#/runs/${run.id}`, title: run.id }, statusBadge(run.status))),
          );
      });
    }
  });
};

function triggerForm(project: Project): HTMLElement | undefined {
  const registries = [...new Set(project.subscriptions.map((s) => s.registry))];
  if (registries.length === 0) return undefined;
  const id = (name: string) => `trigger-${project.name}-${name}`;
  const registry = h(
    "select",
    { id: id("registry") },
    registries.map((r) => h("option", { value: r }, r)),
  );
  const repository = h("input", { id: id("repository"), required: true, placeholder: "team/app" });
  const tag = h("input", { id: id("tag"), required: true, placeholder: "v1.0.0" });
  const said = h("p", { role: "status" });
  const form = h(
    "form",
    {
      class: "trigger",
      onsubmit: (e: Event) => {
        e.preventDefault();
        said.textContent = "";
        call<{ events?: { id: string }[] }>("POST", `/projects/${encodeURIComponent(project.name)}/trigger`, {
          registry: registry.value,
          repository: repository.value,
          tag: tag.value,
        }).then(
          () => (said.textContent = "Push sent."),
          (err: unknown) => showFailure(form, err),
        );
      },
    },
    h("h3", {}, "Trigger a push"),
    h("label", { for: id("registry") }, "Registry"),
    registry,
    h("label", { for: id("repository") }, "Repository"),
    repository,
    h("label", { for: id("tag") }, "Tag"),
    tag,
    h("button", { type: "submit" }, "Trigger"),
    said,
  );
  return form;
}
