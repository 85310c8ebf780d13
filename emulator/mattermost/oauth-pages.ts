// HTML of the provider's pages: the sign-in form (the webapp's login page stands behind the real
// /oauth/authorize when no one is signed in) and the consent page ("<app> would like to access your account").
import { escapeHtml, hiddenInputs, htmlPage } from "../html-page";

export interface AuthorizeParams {
  response_type: string;
  client_id: string;
  redirect_uri: string;
  state?: string;
}

export function page(title: string, body: string): string {
  return htmlPage("Mattermost", title, body);
}

export function loginPage(p: AuthorizeParams, error?: string): string {
  return page("Log in", `    <h1>Log in to Mattermost</h1>
    ${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}
    <form method="post" action="/oauth/login">
      ${hiddenInputs(p)}
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
      ${hiddenInputs(p)}
      <button type="submit" name="allow" value="true">Allow</button>
      <button type="submit" name="allow" value="false">Deny</button>
    </form>`);
}

export function errorPage(status: number, message: string): string {
  return page("Error", `    <h1>Error ${status}</h1>\n    <p class="error" role="alert">${escapeHtml(message)}</p>`);
}
