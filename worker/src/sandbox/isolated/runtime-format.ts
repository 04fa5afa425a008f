/** console formatting inside the isolate: printf-style placeholders and a compact, Node-like inspect. */

const MAX_DEPTH = 2;
const LINE_WIDTH = 72;

export function formatArgs(args: readonly unknown[]): string {
  if (args.length === 0) return "";
  const first = args[0];
  const parts: string[] = [];
  let next = 1;
  if (typeof first === "string" && args.length > 1 && first.includes("%")) {
    parts.push(
      first.replace(/%[sdifjoOc%]/g, (spec) => {
        if (spec === "%%") return "%";
        return next < args.length ? placeholder(spec, args[next++]) : spec;
      }),
    );
  } else {
    parts.push(typeof first === "string" ? first : inspect(first));
  }
  for (const a of args.slice(next)) parts.push(typeof a === "string" ? a : inspect(a));
  return parts.join(" ");
}

function placeholder(spec: string, v: unknown): string {
  switch (spec) {
    case "%s":
      return typeof v === "string" ? v : inspect(v, 1);
    case "%d":
      return typeof v === "bigint" ? `${v}n` : String(Number(v));
    case "%i":
      return String(parseInt(String(v), 10));
    case "%f":
      return String(parseFloat(String(v)));
    case "%j":
      return json(v);
    case "%c":
      return "";
    default:
      return inspect(v);
  }
}

function json(v: unknown): string {
  try {
    return JSON.stringify(v) ?? "undefined";
  } catch {
    return "[Circular]";
  }
}

export function inspect(value: unknown, depth = MAX_DEPTH): string {
  return show(value, depth, new Set(), 0, true);
}

function show(value: unknown, depth: number, seen: Set<object>, indent: number, top: boolean): string {
  switch (typeof value) {
    case "string":
      return top ? value : quote(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "boolean":
    case "undefined":
    case "symbol":
      return String(value);
    case "function":
      return /^class\s/.test(Function.prototype.toString.call(value))
        ? `[class ${value.name || "(anonymous)"}]`
        : `[Function: ${value.name || "(anonymous)"}]`;
  }
  if (value === null) return "null";
  const obj = value as object;
  if (obj instanceof Error) return obj.stack ?? `${obj.name}: ${obj.message}`;
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString();
  if (obj instanceof RegExp) return String(obj);
  if (seen.has(obj)) return "[Circular]";
  const name = constructorName(obj);
  if (depth < 0) return Array.isArray(obj) ? "[Array]" : `[${name ?? "Object"}]`;
  seen.add(obj);
  try {
    const child = (v: unknown) => show(v, depth - 1, seen, indent + 2, false);
    let entries: string[];
    let open = "{";
    let close = "}";
    let prefix = name && name !== "Object" ? `${name} ` : "";
    if (Array.isArray(obj)) {
      entries = obj.slice(0, 100).map(child);
      if (obj.length > 100) entries.push(`... ${obj.length - 100} more items`);
      [open, close, prefix] = ["[", "]", name && name !== "Array" ? `${name}(${obj.length}) ` : ""];
    } else if (obj instanceof Map) {
      entries = [...obj].map(([k, v]) => `${child(k)} => ${child(v)}`);
      prefix = `Map(${obj.size}) `;
    } else if (obj instanceof Set) {
      entries = [...obj].map(child);
      prefix = `Set(${obj.size}) `;
    } else {
      entries = Object.keys(obj).map((k) => `${key(k)}: ${child((obj as Record<string, unknown>)[k])}`);
    }
    if (entries.length === 0) return `${prefix}${open}${close}`;
    const oneLine = `${prefix}${open} ${entries.join(", ")} ${close}`;
    if (oneLine.length + indent <= LINE_WIDTH && !entries.some((e) => e.includes("\n"))) return oneLine;
    const pad = " ".repeat(indent + 2);
    return `${prefix}${open}\n${entries.map((e) => pad + e).join(",\n")}\n${" ".repeat(indent)}${close}`;
  } finally {
    seen.delete(obj);
  }
}

function constructorName(obj: object): string | undefined {
  const proto = Object.getPrototypeOf(obj) as { constructor?: { name?: unknown } } | null;
  if (proto === null) return "[Object: null prototype]";
  const n = proto.constructor?.name;
  return typeof n === "string" && n ? n : undefined;
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
}

function key(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : quote(k);
}
