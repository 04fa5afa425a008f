/** A log line's ANSI colours as spans (anser parses the escape codes; text stays text). */
import Anser from "anser";
import { h } from "./dom.js";

export function ansiSpans(text: string): Node[] {
  return Anser.ansiToJson(text, { use_classes: true, remove_empty: true }).map((part) => {
    const classes = [
      part.fg ? `fg-${part.fg}` : "",
      part.bg ? `bg-${part.bg}` : "",
      ...(part.decorations ?? []).map((d) => `ansi-${d}`),
    ].filter(Boolean);
    return classes.length
      ? h("span", { class: classes.join(" ") }, part.content)
      : document.createTextNode(part.content);
  });
}

/** The text without escape codes: for search and download. */
export function plain(text: string): string {
  return Anser.ansiToText(text);
}
