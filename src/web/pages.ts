// The few HTML pages a person sees: small, accessible, plainly styled, no scripts, every value escaped.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Long Matrix ids have no natural break: `overflow-wrap: anywhere` keeps them from widening a phone screen.
const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; color: #1b1b1b; background: #f6f7f9; margin: 0; }
  main { max-width: 34rem; margin: 4rem auto; background: #fff; padding: 2rem 2.5rem; border-radius: 8px;
         box-shadow: 0 1px 3px rgba(0,0,0,.15); overflow-wrap: anywhere; }
  @media (max-width: 38rem) { main { margin: 1rem; padding: 1.5rem; } }
  h1 { font-size: 1.5rem; line-height: 1.25; margin-top: 0; }
  .ok h1 { color: #0b6b2e; } .error h1 { color: #a4161a; }
  p.hint { color: #4a4a4a; }
  code { background: #eef0f3; padding: .1rem .3rem; border-radius: 3px; }
  p.code code { font-size: 1.5rem; letter-spacing: .08em; padding: .3rem .6rem; user-select: all; }
  button { font: inherit; font-weight: 600; color: #fff; background: #0b5cad; border: 0; border-radius: 6px;
           padding: .6rem 1.2rem; cursor: pointer; }
  button:focus-visible { outline: 3px solid #1b1b1b; outline-offset: 2px; }
`;

export interface Page {
  status: number;
  html: string;
}

/** Every page names the network the bridge serves (`network`, its display name: Gitter, Mattermost). */
function layout(network: string, kind: "ok" | "error" | "info", title: string, body: string, status: number): Page {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(network)} bridge</title>
<style>${STYLE}</style></head>
<body><main class="${kind}"><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
  return { status, html };
}

/**
 * What /login shows before anything goes to the network: the Matrix account the link was made for, and a button. A
 * person handed someone else's link sees whose it is before signing in.
 */
export function confirmAccountPage(network: string, mxid: string, state: string): Page {
  const net = escapeHtml(network);
  return layout(
    network,
    "info",
    `Link your ${network} account`,
    `<p>You are linking ${net} to the Matrix account <strong>${escapeHtml(mxid)}</strong>.</p>
<p><strong>Only continue if that is you.</strong> If someone else gave you this link, close this page: it would
ask you to hand your ${net} account to them.</p>
<form method="post" action="login"><input type="hidden" name="state" value="${escapeHtml(state)}">
<button type="submit">Continue to ${net}</button></form>`,
    200,
  );
}

/**
 * What the browser sees after the network approved: nothing is linked yet. The code must come from `mxid` in
 * Matrix, so a browser that is not that person's gets nobody logged in.
 */
export function codePage(network: string, opts: { mxid: string; gitterUsername: string; code: string; botMxid: string }): Page {
  const mxid = escapeHtml(opts.mxid);
  return layout(
    network,
    "ok",
    "One more step, in Matrix",
    `<p>${escapeHtml(network)} approved the login of <strong>${escapeHtml(opts.gitterUsername)}</strong>. To link it to the Matrix
account <strong>${mxid}</strong>, send this message to <strong>${escapeHtml(opts.botMxid)}</strong> from ${mxid}:</p>
<p class="code"><code id="login-code">login ${escapeHtml(opts.code)}</code></p>
<p class="hint">The code works once, for 10 minutes. Nothing is linked until ${mxid} sends it. If that is not your
Matrix account, do not send or share the code; the approval is then discarded unused.</p>`,
    200,
  );
}

export type LoginErrorKind =
  | "missing-state"
  | "unknown-state"
  | "used-state"
  | "expired-state"
  | "denied"
  | "gitter-error"
  | "links-off"
  | "internal";

const ERRORS: Record<LoginErrorKind, { status: number; title: string; text: string }> = {
  "missing-state": {
    status: 400,
    title: "This link is incomplete",
    text: "The address is missing its login code. Send <code>login</code> to the bridge bot in Matrix for a new link.",
  },
  "unknown-state": {
    status: 400,
    title: "This login link is not valid",
    text: "The bridge does not know this link. Send <code>login</code> to the bridge bot in Matrix for a new one.",
  },
  "used-state": {
    status: 400,
    title: "This login link was already used",
    text: "Each link works once. If you are not logged in yet, send <code>login</code> to the bridge bot for a new one.",
  },
  "expired-state": {
    status: 400,
    title: "This login link has expired",
    text: "Links are valid for 10 minutes. Send <code>login</code> to the bridge bot in Matrix for a new one.",
  },
  denied: {
    status: 403,
    title: "Login cancelled",
    text: "You did not allow the bridge to use your {network} account, so nothing changed. Send <code>login</code> to the bridge bot to try again.",
  },
  "gitter-error": {
    status: 502,
    title: "{network} did not complete the login",
    text: "{network} answered with an error. Nothing was stored. Please try again in a minute with a new link (send <code>login</code> to the bridge bot).",
  },
  "links-off": {
    status: 410,
    title: "Login links are turned off",
    text: "The bridge no longer logs in to {network} through a link. Send <code>login</code> to the bridge bot in Matrix: it says how to log in.",
  },
  internal: {
    status: 500,
    title: "Something went wrong on the bridge",
    text: "The login could not be finished. Nothing was stored. Please try again with a new link; if it keeps failing, tell the bridge's operator.",
  },
};

/** A login that cannot go on; `{network}` in its words is the network's name. */
export function errorPage(network: string, kind: LoginErrorKind): Page {
  const e = ERRORS[kind];
  const named = (t: string, name: string) => t.replaceAll("{network}", name);
  return layout(network, "error", named(e.title, network), `<p>${named(e.text, escapeHtml(network))}</p>`, e.status);
}

/** For a request that failed outside the login flow: a 4xx `status` is the request's fault, anything else ours. */
export function requestErrorPage(network: string, status: number): Page {
  if (status >= 400 && status < 500) {
    return layout(network, "error", "Bad request", `<p class="hint">The bridge could not read this request.</p>`, status);
  }
  const hint = "Please try again in a moment; if it keeps failing, tell the bridge's operator.";
  return layout(network, "error", "Something went wrong on the bridge", `<p class="hint">${hint}</p>`, 500);
}

export function notFoundPage(network: string): Page {
  return layout(network, "error", "Page not found", `<p class="hint">This bridge only serves its login pages.</p>`, 404);
}
