// Checks of what the bridge itself owns: its database schema and its public web server.
import { describeError, loopbackFor } from "./checks-matrix";
import { parseJson, probe } from "./http";
import type { CheckResult, DoctorContext } from "./types";

export async function migrationsCurrent(ctx: DoctorContext): Promise<CheckResult> {
  const name = "database migrations are current";
  let status;
  try {
    status = await ctx.migrationStatus();
  } catch (err) {
    return {
      name,
      ok: false,
      detail: `cannot read the database: ${describeError(err)}`,
      hint: "Check `database` in the config: the file's folder must be writable, or the PostgreSQL server reachable.",
    };
  }
  if (status.current) return { name, ok: true, detail: `all ${status.applied.length} migrations applied` };
  if (status.pending.length > 0) {
    return {
      name,
      ok: false,
      detail: `${status.pending.length} pending: ${status.pending.join(", ")}`,
      hint: "Starting the bridge applies them, in one transaction. Back up the database first.",
    };
  }
  return {
    name,
    ok: false,
    detail: "the database has migrations this version does not know",
    hint: "A newer gitter-bridge used this database: run that version, or restore a backup taken before the upgrade.",
  };
}

export async function publicUrlReachable(ctx: DoctorContext): Promise<CheckResult> {
  const name = "login pages are reachable";
  const { publicUrl, bind, port } = ctx.config.web;
  const url = `${publicUrl}/health`;
  let answer;
  try {
    const res = await probe(ctx, url, { headers: { accept: "application/json" } });
    const body = parseJson(res.body) as { status?: unknown } | undefined;
    if (res.status === 200 && body?.status === "ok") return { name, ok: true, detail: `${url} answers` };
    answer = `${url} answered ${res.status}, but not as this bridge's health probe`;
  } catch (err) {
    answer = describeError(err);
  }
  if (ctx.from === "cli" && !(await ctx.isListening(loopbackFor(bind), port))) {
    return {
      name,
      ok: false,
      detail: answer,
      hint: `The bridge is not running: nothing listens on ${bind}:${port} (web.bind/port). Start it, then run doctor again.`,
    };
  }
  return {
    name,
    ok: false,
    detail: answer,
    hint:
      `web.publicUrl must lead to this bridge's web server (${bind}:${port}), through your reverse proxy if there is ` +
      "one: people's browsers open the login links there.",
  };
}
