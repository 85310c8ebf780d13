// Doctor results as text for a terminal or a control room, and as HTML for Matrix clients. Whatever a check
// wrote, the secrets handed in here never reach the output.
import { escapeHtml } from "../web/pages";
import { VERSION_TEXT } from "../version";
import type { CheckResult } from "./types";

const MASK = "[redacted]";

/** The report's first line: which bridge, on which Node, so a pasted report says what it was run on. */
export const REPORT_HEADING = `${VERSION_TEXT} on Node ${process.version}`;

/** Replaces every occurrence of each secret (ignoring empty ones) with a mask. Pure. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join(MASK);
  return out;
}

export function redactResults(results: readonly CheckResult[], secrets: readonly string[]): CheckResult[] {
  return results.map((r) => ({
    ...r,
    detail: redactSecrets(r.detail, secrets),
    ...(r.hint !== undefined ? { hint: redactSecrets(r.hint, secrets) } : {}),
  }));
}

export function summary(results: readonly CheckResult[]): string {
  const failed = results.filter((r) => !r.ok).length;
  return failed === 0 ? `All ${results.length} checks passed.` : `${failed} of ${results.length} checks failed.`;
}

/**
 * One line per check (`OK   name: detail`), a `fix:` line under each failure, then a summary line; `heading` (e.g.
 * the bridge's version) goes first when given.
 */
export function formatReport(results: readonly CheckResult[], heading?: string): string {
  const lines = results.flatMap((r) => [
    `${r.ok ? "OK  " : "FAIL"} ${r.name}: ${r.detail}`,
    ...(!r.ok && r.hint ? [`     fix: ${r.hint}`] : []),
  ]);
  return [...(heading ? [heading] : []), ...lines, summary(results)].join("\n");
}

export function formatReportHtml(results: readonly CheckResult[], heading?: string): string {
  const items = results.map((r) => {
    const hint = !r.ok && r.hint ? `<br>fix: ${escapeHtml(r.hint)}` : "";
    return `<li><strong>${r.ok ? "OK" : "FAIL"}</strong> ${escapeHtml(r.name)}: ${escapeHtml(r.detail)}${hint}</li>`;
  });
  const head = heading ? `<p>${escapeHtml(heading)}</p>` : "";
  return `${head}<ul>${items.join("")}</ul><p>${escapeHtml(summary(results))}</p>`;
}
