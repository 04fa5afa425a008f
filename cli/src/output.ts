/** Output for people (aligned tables) and for programs (--json). */

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(headers: string[], rows: (string | number | undefined)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined ? "-" : visible(String(c)))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  for (const row of cells) {
    process.stdout.write(
      `${row.map((c, i) => (i === row.length - 1 ? c : (c ?? "").padEnd(widths[i] ?? 0))).join("  ")}\n`,
    );
  }
}

/** "2026-11-22T10:00:00.123Z" → "2026-11-22 10:00:00". */
export function shortTime(iso: string | undefined): string | undefined {
  return iso?.replace("T", " ").replace(/\.\d+Z$|Z$/, "");
}

export function duration(from?: string, to?: string): string | undefined {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/**
 * Text from scripts, jobs and registries, made safe for a terminal: a control character other than
 * newline and tab (ESC, CR, BEL, DEL, the C1 range) is shown in caret or \u notation instead of being
 * obeyed, and so are bidirectional overrides, so output cannot retitle the window, write the
 * clipboard, clear the screen or reorder what is shown. `--json` output keeps the text as stored.
 */
export function visible(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
    if (code === 0x7f) return "^?";
    return `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

// eslint-disable-next-line no-control-regex -- these are the characters it neutralises
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
