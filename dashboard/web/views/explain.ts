/**
 * Why a project takes a push or not: each subscription's verdict (POST /api/v1/explain, and the
 * explain panel of a delivery), e.g. "tag v1.2-rc1 excluded by !*-rc*". Also the form that asks.
 */
import { call } from "../api.js";
import { h, replace } from "../dom.js";
import type { Project, Subscription, Verdict } from "../types.js";
import { showFailure } from "./failure.js";

/** "distribution: repositories team/*, tags v*, !*-rc*", as the config says it. */
export function describeSubscription(s: Subscription & { tagPattern?: string; semver?: string }): string {
  const parts = [
    s.repositories?.length ? `repositories ${s.repositories.join(", ")}` : "every repository",
    s.tags?.length ? `tags ${s.tags.join(", ")}` : "",
    s.tagPattern ? `tags matching ${s.tagPattern}` : "",
    s.semver ? `semver ${s.semver}` : "",
  ].filter(Boolean);
  return `${s.registry}: ${parts.join(", ")}`;
}

/** One image's verdict: taken or not, then each subscription's say. */
export function verdictView(verdict: Verdict): HTMLElement {
  const image = verdict.tag === undefined ? verdict.repository : `${verdict.repository}:${verdict.tag}`;
  return h(
    "section",
    { class: "verdict", "data-takes": String(verdict.takes) },
    h(
      "p",
      {},
      h("code", {}, image),
      " ",
      verdict.takes
        ? h("span", { class: "status status-accepted" }, "taken now")
        : h("span", { class: "status status-ignored" }, "not taken now"),
    ),
    h(
      "ol",
      { class: "subscriptions" },
      verdict.subscriptions.length === 0 && h("li", {}, "The project has no subscriptions."),
      verdict.subscriptions.map((v) =>
        h(
          "li",
          { "data-takes": String(v.takes) },
          h("span", { class: "subscription" }, describeSubscription(v.subscription)),
          " — ",
          v.takes
            ? h("strong", {}, "takes it")
            : h("span", { class: "reason" }, v.reason ?? "does not take it"),
        ),
      ),
    ),
    !verdict.takes && verdict.reasons.length > 0 && h("p", { class: "reasons" }, verdict.reasons.join("; ")),
  );
}

/** The form: a project, a registry, a repository and a tag, and the verdict shown under it. */
export function explainForm(projects: readonly Project[], chosen = ""): HTMLElement {
  const project = h(
    "select",
    { id: "explain-project", required: true },
    projects.map((p) => h("option", { value: p.name, selected: p.name === chosen }, p.name)),
  );
  const registries = h("datalist", { id: "explain-registries" });
  const registry = h("input", {
    id: "explain-registry",
    required: true,
    list: "explain-registries",
    placeholder: "distribution",
  });
  const fillRegistries = () => {
    const p = projects.find((x) => x.name === project.value);
    const kinds = [...new Set(p?.subscriptions.map((s) => s.registry) ?? [])];
    replace(
      registries,
      kinds.map((k) => h("option", { value: k })),
    );
    if (!registry.value && kinds[0]) registry.value = kinds[0];
  };
  project.addEventListener("change", fillRegistries);
  fillRegistries();
  const repository = h("input", { id: "explain-repository", required: true, placeholder: "team/app" });
  const tag = h("input", { id: "explain-tag", placeholder: "v1.2.0" });
  const result = h("div", { class: "explain-result", "aria-live": "polite" });
  const form = h(
    "form",
    {
      class: "explain",
      onsubmit: (e: Event) => {
        e.preventDefault();
        replace(result);
        call<Verdict>("POST", "/explain", {
          project: project.value,
          registry: registry.value.trim(),
          repository: repository.value.trim(),
          ...(tag.value.trim() ? { tag: tag.value.trim() } : {}),
        }).then(
          (verdict) => replace(result, verdictView(verdict)),
          (err: unknown) => showFailure(result, err),
        );
      },
    },
    h("h2", {}, "Explain a push"),
    h(
      "p",
      { class: "help" },
      "Whether a project's subscriptions, as they are now, would take a push, and why not.",
    ),
    h(
      "div",
      { class: "fields" },
      h("label", { for: "explain-project" }, "Project"),
      project,
      h("label", { for: "explain-registry" }, "Registry"),
      registry,
      registries,
      h("label", { for: "explain-repository" }, "Repository"),
      repository,
      h("label", { for: "explain-tag" }, "Tag"),
      tag,
      h("button", { type: "submit" }, "Explain"),
    ),
    result,
  );
  return form;
}
