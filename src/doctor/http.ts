// One HTTP probe for the doctor: a single attempt with a timeout, answering with the status and a little of the
// body. Rejects only when no answer arrived, with a reason fit for a report.
import type { DoctorContext } from "./types";

export interface ProbeAnswer {
  status: number;
  /** The first few kilobytes of the body. */
  body: string;
  contentType: string;
}

const MAX_BODY = 4096;

export async function probe(ctx: DoctorContext, url: string, init: RequestInit = {}): Promise<ProbeAnswer> {
  let res: Response;
  try {
    res = await ctx.fetch(url, { redirect: "manual", ...init, signal: AbortSignal.timeout(ctx.timeoutMs) });
  } catch (err) {
    throw new Error(`no answer from ${withoutQuery(url)}: ${reason(err)}`);
  }
  const body = await res.text().catch(() => "");
  return { status: res.status, body: body.slice(0, MAX_BODY), contentType: res.headers.get("content-type") ?? "" };
}

// Reports name the endpoint, not what was asked of it.
function withoutQuery(url: string): string {
  return url.split("?", 1)[0];
}

function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === "TimeoutError") return "timed out";
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = cause && (typeof cause.code === "string" ? cause.code : cause.message);
  return detail ? String(detail) : err.message;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
