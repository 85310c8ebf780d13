// Checks that the Mattermost server answers: its API v4 and, when the bridge has an OAuth app there, its login
// page. None sends a user's token: a refusal for want of one is the expected answer and proves a Mattermost server
// is there.
import { oauthRedirectUri } from "../config/load";
import type { MattermostConfig } from "../config/types";
import { describeError } from "./checks-matrix";
import { parseJson, probe } from "./http";
import type { CheckResult, DoctorContext } from "./types";

function mattermostOf(ctx: DoctorContext): MattermostConfig {
  if (ctx.config.network !== "mattermost") throw new Error("the bridge does not serve Mattermost");
  return ctx.config.mattermost;
}

export async function mattermostApiAnswers(ctx: DoctorContext): Promise<CheckResult> {
  const name = "Mattermost API answers";
  const { url } = mattermostOf(ctx);
  const hint = `mattermost.url must be the server's base URL (as its users open it); ${url}/api/v4/users/me should answer 401 without a token.`;
  try {
    const res = await probe(ctx, `${url}/api/v4/users/me`, { headers: { accept: "application/json" } });
    // server/channels/web/handlers.go: a request without a session is refused with an AppError (id, message).
    const body = parseJson(res.body) as { id?: unknown } | undefined;
    if (res.status === 401 && typeof body?.id === "string") {
      return { name, ok: true, detail: `${url} answers (401 without a token, as expected)` };
    }
    return { name, ok: false, detail: `${url}/api/v4/users/me answered ${res.status}, but not as a Mattermost server`, hint };
  } catch (err) {
    return { name, ok: false, detail: describeError(err), hint: `Is the network open to the Mattermost server? ${hint}` };
  }
}

export async function mattermostOAuthAnswers(ctx: DoctorContext): Promise<CheckResult> {
  const name = "Mattermost login page answers";
  const { url, oauth } = mattermostOf(ctx);
  if (oauth.clientId === undefined) {
    return { name, ok: true, detail: "no OAuth app is configured (mattermost.oauth): users log in with personal access tokens" };
  }
  const redirectUri = oauthRedirectUri(ctx.config);
  const page = new URL(`${url}/oauth/authorize`);
  page.search = new URLSearchParams({ client_id: oauth.clientId, response_type: "code", redirect_uri: redirectUri }).toString();
  const where = `${page.origin}${page.pathname}`;
  try {
    const res = await probe(ctx, page.toString(), { headers: { accept: "text/html" } });
    if (res.status === 200 || (res.status >= 300 && res.status < 400)) return { name, ok: true, detail: `${where} answers (${res.status})` };
    return {
      name,
      ok: false,
      detail: `${where} refused the app (${res.status}): unknown client id, a redirect URI other than the registered one, or the OAuth provider is off`,
      hint: `Register the OAuth app with the callback URL ${redirectUri} exactly, put its id in mattermost.oauth.clientId, and turn on EnableOAuthServiceProvider.`,
    };
  } catch (err) {
    return { name, ok: false, detail: describeError(err), hint: "Is the network open to the Mattermost server? Check mattermost.url." };
  }
}
