import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

const DIR = join(__dirname, "..", "..", "src", "mattermost", "convert");
// Pure conversion: nothing from the Matrix edge, the core or another network, and from src/convert only the
// network-neutral pieces.
const ALLOWED = [/^\.\/[a-z-]+$/, /^\.\.\/\.\.\/convert\/(html|sanitize|markdown|markdown-escape|replies)$/, /^htmlparser2$/];

describe("src/mattermost/convert imports", () => {
  it("imports only its own files, the neutral conversion helpers and htmlparser2", () => {
    for (const file of readdirSync(DIR).filter((name) => name.endsWith(".ts"))) {
      const source = readFileSync(join(DIR, file), "utf8");
      for (const [, target = ""] of source.matchAll(/from "([^"]+)"/g)) {
        assert.ok(ALLOWED.some((pattern) => pattern.test(target)), `${file} imports ${target}`);
      }
    }
  });
});
