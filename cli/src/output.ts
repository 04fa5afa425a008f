/** Output for people (aligned tables) and for programs (--json). */

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(headers: string[], rows: (string | number | undefined)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === undefined ? "-" : String(c))))];
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
