/** Label and field selectors as the API server reads them (`a=b,c!=d,e in (f,g),!h`). */

export type Matcher = (obj: StandinObject) => boolean;

export interface StandinObject {
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
    [k: string]: unknown;
  };
  status?: { phase?: string; [k: string]: unknown };
  spec?: { nodeName?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export class SelectorError extends Error {}

/** Splits on commas outside parentheses. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

export function labelSelector(selector: string | null): Matcher {
  if (!selector) return () => true;
  const tests = terms(selector).map((term): ((labels: Record<string, string>) => boolean) => {
    let m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const [, key = "", op, list = ""] = m;
      const values = list.split(",").map((v) => v.trim());
      return op === "in"
        ? (l) => key in l && values.includes(l[key] ?? "")
        : (l) => !(key in l) || !values.includes(l[key] ?? "");
    }
    m = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(term);
    if (m) {
      const [, key = "", op, value = ""] = m;
      return op === "!=" ? (l) => l[key] !== value : (l) => l[key] === value;
    }
    m = /^(!?)([^\s!=()]+)$/.exec(term);
    if (m) {
      const [, not, key = ""] = m;
      return not ? (l) => !(key in l) : (l) => key in l;
    }
    throw new SelectorError(`unable to parse requirement: ${JSON.stringify(term)}`);
  });
  return (obj) => tests.every((t) => t(obj.metadata.labels ?? {}));
}

/** The fields Pods and Secrets can be selected by (as the real server, a small fixed set per kind). */
const FIELDS: Record<string, Record<string, (o: StandinObject) => string>> = {
  pods: {
    "metadata.name": (o) => o.metadata.name,
    "metadata.namespace": (o) => o.metadata.namespace,
    "status.phase": (o) => o.status?.phase ?? "",
    "spec.nodeName": (o) => o.spec?.nodeName ?? "",
  },
  secrets: {
    "metadata.name": (o) => o.metadata.name,
    "metadata.namespace": (o) => o.metadata.namespace,
    type: (o) => String(o.type ?? ""),
  },
};

export function fieldSelector(resource: string, selector: string | null): Matcher {
  if (!selector) return () => true;
  const tests = terms(selector).map((term) => {
    const m = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new SelectorError(`invalid field selector: ${JSON.stringify(term)}`);
    const [, field = "", op, value = ""] = m;
    const read = FIELDS[resource]?.[field];
    if (!read) throw new SelectorError(`field label not supported: ${field}`);
    return op === "!=" ? (o: StandinObject) => read(o) !== value : (o: StandinObject) => read(o) === value;
  });
  return (obj) => tests.every((t) => t(obj));
}
