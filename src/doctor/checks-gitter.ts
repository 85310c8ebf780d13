// Checks that Gitter's three endpoints answer. None sends a user's token: a refusal for want of one is the
// expected answer and proves the right server is there.
import { oauthRedirectUri } from "../config/load";
import { describeError } from "./checks-matrix";
import { parseJson, probe } from "./http";
import type { GitterConfig } from "../config/types";
import type { CheckResult, DoctorContext } from "./types";

function gitterOf(ctx: DoctorContext): GitterConfig {
  if (ctx.config.network !== "gitter") throw new Error("the bridge does not serve Gitter");
  return ctx.config.gitter;
}

/** The API base as the REST client reads it: no trailing slash, no trailing /v1. */
function apiBase(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
}

export async function gitterApiAnswers(ctx: DoctorContext): Promise<CheckResult> {
  const name = "Gitter API answers";
  const base = apiBase(gitterOf(ctx).apiUrl);
  const hint = `gitter.apiUrl must be the API base (for Gitter: https://api.gitter.im); ${base}/v1/user should answer 401 without a token.`;
  try {
    const res = await probe(ctx, `${base}/v1/user`, { headers: { accept: "application/json" } });
    if (res.status === 401 || res.status === 200) {
      return { name, ok: true, detail: `${base} answers (${res.status} without a token, as expected)` };
    }
    return { name, ok: false, detail: `${base}/v1/user answered ${res.status}`, hint };
  } catch (err) {
    return { name, ok: false, detail: describeError(err), hint: `Is the network open to Gitter? ${hint}` };
  }
}

export async function gitterRealtimeAnswers(ctx: DoctorContext): Promise<CheckResult> {
  const name = "Gitter realtime answers";
  const url = gitterOf(ctx).realtimeUrl;
  const hint = "gitter.realtimeUrl must be Gitter's Faye endpoint (for Gitter: https://ws.gitter.im/bayeux).";
  const handshake = [{ channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["long-polling"] }];
  try {
    const res = await probe(ctx, url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(handshake),
    });
    const reply = parseJson(res.body);
    const answer = Array.isArray(reply) ? (reply[0] as Record<string, unknown> | undefined) : undefined;
    if (answer?.channel === "/meta/handshake") {
      const how = answer.successful === true ? "accepted" : "refused without a token, as expected";
      return { name, ok: true, detail: `the Bayeux handshake at ${url} answered (${how})` };
    }
    return { name, ok: false, detail: `${url} answered ${res.status}, but not as a Bayeux server`, hint };
  } catch (err) {
    return { name, ok: false, detail: describeError(err), hint: `Is the network open to Gitter? ${hint}` };
  }
}

export async function gitterOAuthAnswers(ctx: DoctorContext): Promise<CheckResult> {
  const name = "Gitter login page answers";
  const { oauthUrl, oauth } = gitterOf(ctx);
  const redirectUri = oauthRedirectUri(ctx.config);
  const url = new URL("login/oauth/authorize", oauthUrl.endsWith("/") ? oauthUrl : `${oauthUrl}/`);
  url.search = new URLSearchParams({ client_id: oauth.clientId, response_type: "code", redirect_uri: redirectUri }).toString();
  const where = `${url.origin}${url.pathname}`;
  try {
    const res = await probe(ctx, url.toString(), { headers: { accept: "text/html" } });
    if (res.status === 200 || (res.status >= 300 && res.status < 400)) {
      const how = res.status === 200 ? "shows its page" : "sends the browser to sign in first";
      return { name, ok: true, detail: `${where} ${how} (${res.status})` };
    }
    if (res.status === 401 || res.status === 403) {
      return {
        name,
        ok: false,
        detail: `${where} refused the app (${res.status}): unknown client id, or a redirect URI other than the registered one`,
        hint: `Register the Gitter OAuth app with the redirect URI ${redirectUri} exactly, and put its id in gitter.oauth.clientId.`,
      };
    }
    return { name, ok: false, detail: `${where} answered ${res.status}`, hint: "gitter.oauthUrl must be Gitter's web host (https://gitter.im)." };
  } catch (err) {
    return { name, ok: false, detail: describeError(err), hint: "Is the network open to Gitter? Check gitter.oauthUrl (https://gitter.im)." };
  }
}
