// HTML of the provider's pages: the sign-in form (the webapp's login page stands behind the real
// /oauth/authorize when no one is signed in) and the consent page ("<app> would like to access your account").
export interface AuthorizeParams {
  response_type: string;
  client_id: string;
  redirect_uri: string;
  state?: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

function hidden(p: AuthorizeParams): string {
  return Object.entries(p)
    .filter((e): e is [string, string] => typeof e[1] === "string")
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join("\n      ");
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} - Mattermost</title>
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
</html>`;
}

export function loginPage(p: AuthorizeParams, error?: string): string {
  return page("Log in", `    <h1>Log in to Mattermost</h1>
    ${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}
    <form method="post" action="/oauth/login">
      ${hidden(p)}
      <label for="login_id">Email or Username</label>
      <input type="text" id="login_id" name="login_id" autocomplete="username" required autofocus>
      <label for="password">Password</label>
      <input type="password" id="password" name="password" autocomplete="current-password" required>
      <button type="submit">Log in</button>
    </form>`);
}

export function consentPage(p: AuthorizeParams, appName: string, username: string): string {
  return page("Authorize", `    <h1>${escapeHtml(appName)} would like to connect to your Mattermost account</h1>
    <p>Signed in as <strong>${escapeHtml(username)}</strong>. The app will be able to access and modify your basic information.</p>
    <form method="post" action="/oauth/authorize">
      ${hidden(p)}
      <button type="submit" name="allow" value="true">Allow</button>
      <button type="submit" name="allow" value="false">Deny</button>
    </form>`);
}

export function errorPage(status: number, message: string): string {
  return page("Error", `    <h1>Error ${status}</h1>\n    <p class="error" role="alert">${escapeHtml(message)}</p>`);
}
