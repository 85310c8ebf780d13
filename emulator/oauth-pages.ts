// The HTML of the OAuth pages: sign in as a fixture user, then approve or deny the app. Plain, accessible
// markup (labels, landmarks, an alert for errors) so that people and browser tests can both drive it.

export interface AuthorizeParams {
  client_id: string;
  redirect_uri: string;
  response_type: string;
  state?: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function hidden(params: AuthorizeParams): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined) as [string, string][];
  return entries.map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join("\n      ");
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} - Gitter</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }
    label { display: block; margin-top: 1rem; font-weight: 600; }
    input[type=text], input[type=password] { width: 100%; padding: .5rem; font-size: 1rem; box-sizing: border-box; }
    button { margin-top: 1.25rem; margin-right: .5rem; padding: .5rem 1.25rem; font-size: 1rem; }
    .error { color: #9b1c1c; background: #fde8e8; padding: .5rem .75rem; border-radius: 4px; }
  </style>
</head>
<body>
  <main>
${body}
  </main>
</body>
</html>
`;
}

export function loginPage(appName: string, params: AuthorizeParams, error?: string, username = ""): string {
  const alert = error ? `    <p class="error" role="alert">${escapeHtml(error)}</p>\n` : "";
  return page(
    "Sign in",
    `    <h1>Sign in to Gitter</h1>
    <p><strong>${escapeHtml(appName)}</strong> wants to use your Gitter account. Sign in first.</p>
${alert}    <form method="post" action="/login/oauth/authorize/login">
      ${hidden(params)}
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
      ${hidden(params)}
      <input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
      <button type="submit" name="decision" value="approve">Approve</button>
      <button type="submit" name="decision" value="deny">Deny</button>
    </form>
    <form method="post" action="/login/oauth/logout">
      ${hidden(params)}
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
