/**
 * A job's (or the script's) output: lines with their ANSI colours, followed as they arrive (kept at
 * the bottom while the reader is there), searchable, and downloadable as plain text.
 */
import { ansiSpans, plain } from "../ansi.js";
import { h } from "../dom.js";

export interface LogView {
  element: HTMLElement;
  append(text: string): void;
}

export function createLogView(fileName: string): LogView {
  const lines: { text: string; el: HTMLElement }[] = [];
  let partial = "";
  let partialEl: HTMLElement | undefined;
  let needle = "";
  const pre = h("pre", { class: "log", tabindex: 0, "aria-label": "Log output", role: "log" });
  const count = h("span", { class: "count", "aria-live": "polite" });
  const search = h("input", {
    type: "search",
    id: "log-search",
    placeholder: "Search the log",
    "aria-label": "Search the log",
    oninput: () => {
      needle = search.value.toLowerCase();
      for (const line of lines) filter(line);
      if (partialEl) filter({ text: partial, el: partialEl });
      count.textContent = needle ? `${lines.filter((l) => matches(l.text)).length} matching lines` : "";
    },
  });
  const download = h(
    "button",
    {
      type: "button",
      onclick: () => {
        const text = lines.map((l) => plain(l.text)).join("\n") + (partial ? `\n${plain(partial)}` : "\n");
        const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
        const a = h("a", { href: url, download: fileName });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
      },
    },
    "Download",
  );
  const matches = (text: string) => !needle || plain(text).toLowerCase().includes(needle);
  const filter = (line: { text: string; el: HTMLElement }) =>
    line.el.classList.toggle("hidden", !matches(line.text));
  const lineEl = (text: string) => h("div", { class: "line" }, ansiSpans(text));

  return {
    element: h("section", { class: "logs" }, h("div", { class: "toolbar" }, search, count, download), pre),
    append(text: string) {
      const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 24;
      const parts = (partial + text).split("\n");
      partial = parts.pop() ?? "";
      partialEl?.remove();
      partialEl = undefined;
      for (const part of parts) {
        const line = { text: part, el: lineEl(part) };
        filter(line);
        lines.push(line);
        pre.append(line.el);
      }
      if (partial) {
        partialEl = lineEl(partial);
        filter({ text: partial, el: partialEl });
        pre.append(partialEl);
      }
      if (atBottom) pre.scrollTop = pre.scrollHeight;
    },
  };
}
