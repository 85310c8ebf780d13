// The HTML of the OAuth pages: sign in as a fixture user, then approve or deny the app. Plain, accessible
// markup (labels, landmarks, an alert for errors) so that people and browser tests can both drive it.

import { escapeHtml, hiddenInputs, htmlPage } from "./html-page";

export interface AuthorizeParams {
  client_id: string;
  redirect_uri: string;
  response_type: string;
  state?: string;
}

function page(title: string, body: string): string {
  return htmlPage("Gitter", title, body);
}

export function loginPage(appName: string, params: AuthorizeParams, error?: string, username = ""): string {
  const alert = error ? `    <p class="error" role="alert">${escapeHtml(error)}</p>\n` : "";
  return page(
    "Sign in",
    `    <h1>Sign in to Gitter</h1>
    <p><strong>${escapeHtml(appName)}</strong> wants to use your Gitter account. Sign in first.</p>
${alert}    <form method="post" action="/login/oauth/authorize/login">
      ${hiddenInputs(params)}
      <label for="username">Username</label>
      <input id="username" name="username" type="text" autocomplete="username" required value="${escapeHtml(username)}">
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <button type="submit">Sign in</button>
    </form>`,
  );
}

export function consentPage(appName: string, params: AuthorizeParams, who: { username: string; displayName: string }, csrf: string): string {
  return page(
    "Authorize application",
    `    <h1>Authorize ${escapeHtml(appName)}</h1>
    <p>You are signed in as <strong>${escapeHtml(who.displayName)}</strong> (@${escapeHtml(who.username)}).</p>
    <p><strong>${escapeHtml(appName)}</strong> wants to read and send messages in your rooms on your behalf.</p>
    <form method="post" action="/login/oauth/authorize/decision">
      ${hiddenInputs(params)}
      <input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
      <button type="submit" name="decision" value="approve">Approve</button>
      <button type="submit" name="decision" value="deny">Deny</button>
    </form>
    <form method="post" action="/login/oauth/logout">
      ${hiddenInputs(params)}
      <button type="submit">Not you? Sign out</button>
    </form>`,
  );
}

export function failedPage(reason: string): string {
  return page(
    "Authorization failed",
    `    <h1>Authorization failed</h1>
    <p role="alert">oauth_authorize_failed: ${escapeHtml(reason)}</p>`,
  );
}
