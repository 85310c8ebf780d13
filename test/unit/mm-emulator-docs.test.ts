// docs/mattermost-emulator.md documents every control route and flag of the Mattermost emulator, read from the source.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

const ROOT = path.resolve(__dirname, "../..");
const doc = () => readFileSync(path.join(ROOT, "docs/mattermost-emulator.md"), "utf8");

describe("docs/mattermost-emulator.md", () => {
  it("names every control route and shows a curl example of each", () => {
    const source = readFileSync(path.join(ROOT, "emulator/mattermost/control.ts"), "utf8");
    const routes = [...source.matchAll(/\br\.(get|post|put|delete)\("([^"]+)"/g)].map(([, m, p]) => [m.toUpperCase(), p] as const);
    assert.ok(routes.length >= 18, `found ${routes.length} routes`);
    for (const [method, route] of routes) {
      assert.ok(doc().includes(`\`${method} /_emulator${route}`), `${method} /_emulator${route} is documented`);
      const example = route.replace(/:[a-z]+/g, "[^ '\"]+").replace(/\//g, "\\/");
      const curl = method === "GET" ? `curl '?http://127\\.0\\.0\\.1:8065/_emulator${example}` : `curl -X ${method} http://127\\.0\\.0\\.1:8065/_emulator${example}`;
      assert.match(doc(), new RegExp(curl), `an example of ${method} ${route}`);
    }
  });

  it("lists every flag of the command line", () => {
    const main = readFileSync(path.join(ROOT, "emulator/mattermost/main.ts"), "utf8");
    for (const [, flag] of main.matchAll(/case "(--[a-z-]+)"/g)) {
      if (flag !== "--help") assert.ok(doc().includes(`\`${flag}`), `${flag} is documented`);
    }
  });
});
