/**
 * Whether a regular expression may take super-linear time (ReDoS), by scslre's static analysis: nested
 * quantifiers, adjacent quantifiers trading the same characters, or an unanchored quantified run that
 * is retried from every position.
 */
import { analyse, type Report } from "scslre";

export interface BacktrackingCheck {
  /** Quadratic retries of an unanchored pattern over the input ("Move"), tolerable on short inputs. */
  allowMove?: boolean;
}

/** Says where the pattern backtracks super-linearly, or undefined when it runs in linear time. */
export function backtracking(source: string, flags = "", check: BacktrackingCheck = {}): string | undefined {
  const { reports } = analyse({ source, flags }, { reportTypes: { Move: check.allowMove !== true } });
  const report = reports[0];
  return report === undefined ? undefined : describe(report);
}

function describe(report: Report): string {
  const repeated = JSON.stringify(report.character.pick);
  const kind = report.exponential ? "exponential" : "polynomial";
  switch (report.type) {
    case "Self":
      return `${kind} backtracking: ${report.quant.raw} is nested in ${report.parentQuant.raw} (try a long run of ${repeated})`;
    case "Trade":
      return `${kind} backtracking: ${report.startQuant.raw} and ${report.endQuant.raw} both take ${repeated}`;
    case "Move":
      return `${kind} backtracking: ${report.quant.raw} is retried from every position of a run of ${repeated}`;
  }
}
