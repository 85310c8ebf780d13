// Walks a bridge login link through the bridge's confirmation page and the emulator's Gitter sign-in and consent
// pages with plain HTTP, the requests a browser would make (forms, cookie, redirects), so tests that only need a
// logged-in user do not pay for a browser. The real browser path is covered by the journey test. The login is
// finished only when the Matrix user sends the code the last page shows (`sendLoginCode`).

export interface OAuthWalk {
  /** Where the consent page sent the browser back to: the bridge callback with `code` or `error`, and `state`. */
  callbackUrl: string;
  /** The bridge's answer to that callback. */
  status: number;
  html: string;
  /** The Matrix account the bridge's /login page named. */
  account: string;
  /** What the callback page asks the Matrix user to send to the bot (`login ABCD-EFGH`), when it shows one. */
  codeMessage?: string;
}

export interface OAuthWalkOptions {
  username: string;
  password: string;
  decision?: "approve" | "deny";
  /** Stop before calling the bridge's callback (callbackUrl is set; status is 0 and html empty). */
  stopBeforeCallback?: boolean;
}

/** Follows `loginLink` (the bridge's /login?state=...) to the end. Throws when a page is not what it should be. */
export async function walkOAuth(loginLink: string, opts: OAuthWalkOptions): Promise<OAuthWalk> {
  const confirm = await text(await get(loginLink), 200, "the bridge's /login");
  const account = /the Matrix account <strong>([^<]+)<\/strong>/.exec(confirm)?.[1];
  if (!account) throw new Error(`the bridge's /login names no Matrix account: ${confirm.slice(0, 300)}`);
  const continued = await post(new URL("login", loginLink), hiddenFields(confirm));
  const authorize = location(continued, 303, "the bridge's Continue button");
  const signIn = await get(authorize);
  const signInForm = hiddenFields(await text(signIn, 200, "the sign-in page"));
  const afterSignIn = await post(new URL("/login/oauth/authorize/login", authorize), {
    ...signInForm,
    username: opts.username,
    password: opts.password,
  });
  const cookie = (afterSignIn.headers.get("set-cookie") ?? "").split(";")[0];
  const consentUrl = new URL(location(afterSignIn, 303, "the sign-in form"), authorize);
  const consent = await text(await get(consentUrl, cookie), 200, "the consent page");
  const decided = await post(
    new URL("/login/oauth/authorize/decision", authorize),
    { ...hiddenFields(consent), decision: opts.decision ?? "approve" },
    cookie,
  );
  const callbackUrl = location(decided, 302, "the consent form");
  if (opts.stopBeforeCallback) return { callbackUrl, status: 0, html: "", account: unescape(account) };
  const res = await get(callbackUrl);
  const html = await res.text();
  const codeMessage = /<code id="login-code">([^<]+)<\/code>/.exec(html)?.[1];
  return { callbackUrl, status: res.status, html, account: unescape(account), ...(codeMessage ? { codeMessage: unescape(codeMessage) } : {}) };
}

/** Sends the code a walk ended with from `send` (the Matrix user's control room); throws when there is none. */
export async function sendLoginCode(walk: OAuthWalk, send: (text: string) => Promise<unknown>): Promise<void> {
  if (!walk.codeMessage) throw new Error(`the login page shows no code (${walk.status}): ${walk.html.slice(0, 300)}`);
  await send(walk.codeMessage);
}

function get(url: string | URL, cookie?: string): Promise<Response> {
  return fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
}

function post(url: URL, fields: Record<string, string>, cookie?: string): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (cookie) headers.cookie = cookie;
  return fetch(url, { method: "POST", redirect: "manual", headers, body: new URLSearchParams(fields).toString() });
}

function location(res: Response, status: number, what: string): string {
  const to = res.headers.get("location");
  if (res.status !== status || !to) throw new Error(`${what} answered ${res.status}, expected a ${status} redirect`);
  return to;
}

async function text(res: Response, status: number, what: string): Promise<string> {
  const body = await res.text();
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${body.slice(0, 300)}`);
  return body;
}

/** The hidden inputs of the first form on a page (the emulator's pages escape values as HTML). */
function hiddenFields(html: string): Record<string, string> {
  const form = /<form[\s\S]*?<\/form>/.exec(html)?.[0] ?? "";
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) out[unescape(m[1])] = unescape(m[2]);
  return out;
}

function unescape(s: string): string {
  return s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
