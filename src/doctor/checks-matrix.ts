// Checks between the bridge and its homeserver: the registration both read, and the two directions of traffic.
import { checkIdentity, checkUserNamespaces } from "../config/registration";
import { isMatrixError } from "../matrix/errors";
import { MatrixIds } from "../matrix/ids";
import type { CheckResult, DoctorContext } from "./types";

const REGENERATE =
  "Generate a registration with `gitter-bridge --config <config> --generate-registration --url <url the homeserver " +
  "reaches the bridge at>`, give the homeserver the same file (app_service_config_files) and restart the homeserver.";

function botMxid(ctx: DoctorContext): string {
  const { domain } = ctx.config.homeserver;
  return new MatrixIds({ domain, botLocalpart: ctx.config.bridge.botLocalpart, ghostPrefix: ctx.config.bridge.ghostPrefix }).botMxid;
}

function noRegistration(name: string): CheckResult {
  return { name, ok: false, detail: "skipped: the registration could not be read", hint: "Fix the registration first (see above)." };
}

export async function registrationMatchesConfig(ctx: DoctorContext): Promise<CheckResult> {
  const name = "registration matches the config";
  const reg = ctx.registration;
  if (!reg) return { name, ok: false, detail: ctx.registrationError ?? "the registration file was not read", hint: REGENERATE };
  const problems = checkIdentity(ctx.config, reg);
  if (problems.length > 0) {
    return { name, ok: false, detail: problems.join("; "), hint: `Fix the config, or: ${REGENERATE}` };
  }
  return { name, ok: true, detail: `id "${reg.id}", bot ${botMxid(ctx)}, the homeserver pushes to ${reg.url}` };
}

export async function namespacesExclusive(ctx: DoctorContext): Promise<CheckResult> {
  const name = "user namespaces are exclusive";
  if (!ctx.registration) return noRegistration(name);
  const problems = checkUserNamespaces(ctx.config, ctx.registration);
  if (problems.length > 0) {
    return {
      name,
      ok: false,
      detail: problems.join("; "),
      hint: `The ghosts' namespace must be exclusive to the bridge and cover bridge.ghostPrefix on homeserver.domain. ${REGENERATE}`,
    };
  }
  const ghosts = `@${ctx.config.bridge.ghostPrefix}*:${ctx.config.homeserver.domain}`;
  return { name, ok: true, detail: `${ghosts} belong to the bridge alone; the bot ${botMxid(ctx)} is covered` };
}

export async function bridgeReachesHomeserver(ctx: DoctorContext): Promise<CheckResult> {
  const name = "bridge reaches the homeserver";
  if (!ctx.homeserver) return noRegistration(name);
  const url = ctx.config.homeserver.url;
  try {
    const me = await ctx.homeserver.whoami();
    if (me.user_id === botMxid(ctx)) return { name, ok: true, detail: `${url} accepts the as_token for ${me.user_id}` };
    return {
      name,
      ok: false,
      detail: `${url} says the as_token belongs to ${me.user_id}, not ${botMxid(ctx)}`,
      hint: "The homeserver loaded another registration with this as_token. " + REGENERATE,
    };
  } catch (err) {
    return { name, ok: false, detail: homeserverDetail(ctx, err), hint: whoamiHint(ctx, err) };
  }
}

function whoamiHint(ctx: DoctorContext, err: unknown): string {
  const url = ctx.config.homeserver.url;
  if (isMatrixError(err) && err.status === 0) {
    return `Check homeserver.url (${url}): is the homeserver running, and is this address reachable from the bridge?`;
  }
  if (isMatrixError(err, "M_UNKNOWN_TOKEN") || isMatrixError(err, "M_MISSING_TOKEN")) {
    return (
      "The homeserver does not know the registration's as_token: list the registration file in its " +
      "app_service_config_files and restart it (after --generate-registration it needs the new file and a restart)."
    );
  }
  if (isMatrixError(err, "M_FORBIDDEN")) {
    return (
      `The homeserver will not let the bridge act as ${botMxid(ctx)}: homeserver.domain must be the homeserver's ` +
      "server_name, and the registration's sender_localpart must be bridge.botLocalpart."
    );
  }
  return `Check that homeserver.url (${url}) is the homeserver's client-server API.`;
}

export async function homeserverReachesBridge(ctx: DoctorContext): Promise<CheckResult> {
  const name = "homeserver reaches the bridge";
  const reg = ctx.registration;
  if (!reg || !ctx.homeserver) return noRegistration(name);
  if (!reg.url) return { name, ok: false, detail: "the registration has no url", hint: REGENERATE };
  try {
    const { durationMs } = await ctx.homeserver.ping(reg.id, `doctor-${Date.now()}`);
    return { name, ok: true, detail: `the homeserver pinged the bridge at ${reg.url} (${durationMs} ms)` };
  } catch (err) {
    return { name, ok: false, detail: homeserverDetail(ctx, err), hint: await pingHint(ctx, err, reg.url) };
  }
}

async function pingHint(ctx: DoctorContext, err: unknown, url: string): Promise<string> {
  if (!isMatrixError(err)) return "Run doctor again; if it keeps failing, look at the homeserver's log.";
  if (err.status === 0) return "The homeserver itself could not be reached; see the check above.";
  if (err.errcode === "M_UNKNOWN_TOKEN" || err.errcode === "M_MISSING_TOKEN") {
    return "The homeserver does not know the as_token, so it would not ping for the bridge; see the check above.";
  }
  if (err.errcode === "M_CONNECTION_FAILED" || err.errcode === "M_CONNECTION_TIMEOUT") {
    const { bind, port } = ctx.config.appservice;
    if (ctx.from === "cli" && !(await ctx.isListening(loopbackFor(bind), port))) {
      return `The bridge is not running: nothing listens on ${bind}:${port} (appservice.bind/port). Start it, then run doctor again.`;
    }
    return (
      `The homeserver cannot connect to ${url}. The registration's url must be an address the homeserver can reach ` +
      `(in a container, 127.0.0.1 is the container itself) leading to appservice.port (${port}).`
    );
  }
  if (err.errcode === "M_BAD_STATUS") {
    return (
      "The bridge refused the homeserver's hs_token: the homeserver's copy of the registration differs from the " +
      "bridge's. Give it the same file and restart it."
    );
  }
  if (err.errcode === "M_URL_NOT_SET") return `The homeserver's copy of the registration has no url. ${REGENERATE}`;
  if (err.errcode === "M_FORBIDDEN") {
    return `The homeserver's registration for this as_token has another id than "${ctx.registration?.id}". ${REGENERATE}`;
  }
  if (err.status === 404 || err.errcode === "M_UNRECOGNIZED") {
    return "The homeserver does not offer the appservice ping (Matrix 1.7, Synapse 1.84 or newer): upgrade it to run this check.";
  }
  return "Look at the homeserver's log for the ping request.";
}

/** A wildcard bind address accepts connections on loopback too. */
export function loopbackFor(bind: string): string {
  if (bind === "0.0.0.0" || bind === "") return "127.0.0.1";
  if (bind === "::" || bind === "[::]") return "::1";
  return bind;
}

function homeserverDetail(ctx: DoctorContext, err: unknown): string {
  if (isMatrixError(err) && err.status === 0) return `no answer from ${ctx.config.homeserver.url}: ${err.message}`;
  return describeError(err);
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
