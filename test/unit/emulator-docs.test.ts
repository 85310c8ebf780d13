// docs/emulator.md documents every control route, with an example: a route added without its documentation
// fails here. The routes are read from the source, so the list cannot go stale.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

const ROOT = path.resolve(__dirname, "../..");

describe("docs/emulator.md", () => {
  it("names every control route and shows a curl example of each", () => {
    const source = readFileSync(path.join(ROOT, "emulator/control.ts"), "utf8");
    const doc = readFileSync(path.join(ROOT, "docs/emulator.md"), "utf8");
    const routes = [...source.matchAll(/\br\.(get|post|put|patch|delete)\("([^"]+)"/g)].map(([, m, p]) => [m.toUpperCase(), p] as const);
    assert.ok(routes.length >= 15, `found ${routes.length} routes`);
    for (const [method, route] of routes) {
      assert.ok(doc.includes(`\`${method} /_emulator${route}`), `${method} /_emulator${route} is documented`);
      const example = route.replace(/:[a-z]+/g, "[^ '\"]+").replace(/\//g, "\\/");
      const curl = method === "GET" ? `curl '?http://127\\.0\\.0\\.1:5555/_emulator${example}` : `curl -X ${method} http://127\\.0\\.0\\.1:5555/_emulator${example}`;
      assert.match(doc, new RegExp(curl), `an example of ${method} ${route}`);
    }
  });

  it("lists every flag of the emulator's command line", () => {
    const usage = readFileSync(path.join(ROOT, "emulator/main.ts"), "utf8");
    const doc = readFileSync(path.join(ROOT, "docs/emulator.md"), "utf8");
    for (const [, flag] of usage.matchAll(/case "(--[a-z-]+)"/g)) {
      if (flag === "--help") continue;
      assert.ok(doc.includes(`\`${flag}`), `${flag} is documented`);
    }
  });
});
