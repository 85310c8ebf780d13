// The emulators' HTML pages (their OAuth sign-in and consent pages): one plain, accessible page frame (labels,
// landmarks, an alert style for errors) so that people and browser tests can both drive them.

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Hidden form inputs carrying `params` (entries without a string value are left out). */
export function hiddenInputs(params: object): string {
  return Object.entries(params)
    .filter((e): e is [string, string] => typeof e[1] === "string")
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join("\n      ");
}

/** A whole page titled "<title> - <site>" around `body` (already HTML). */
export function htmlPage(site: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} - ${escapeHtml(site)}</title>
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
