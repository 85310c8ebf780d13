import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { CONFIG_DOCS, renderConfigDocs } from "../../scripts/gen-config-docs";
import { CONFIG_SCHEMA, type ObjectNode } from "../../src/config/schema";

function leafKeys(node: ObjectNode, prefix: string[] = []): string[] {
  return Object.entries(node.fields).flatMap(([key, child]) =>
    child.type === "object" ? leafKeys(child, [...prefix, key]) : [[...prefix, key].join(".")],
  );
}

describe("configuration reference (docs/config.md)", () => {
  it("is exactly what the schema renders to", () => {
    const onDisk = readFileSync(CONFIG_DOCS, "utf8");
    assert.ok(onDisk === renderConfigDocs(), "docs/config.md is out of date with src/config/schema.ts: run npm run docs:config");
  });

  it("has a row for every key, with required keys marked and defaults shown", () => {
    const doc = renderConfigDocs();
    for (const key of leafKeys(CONFIG_SCHEMA)) assert.match(doc, new RegExp(`^\\| \`${key.replace(/\./g, "\\.")}\` \\|`, "m"), key);
    assert.match(doc, /^\| `homeserver\.url` \| URL \| \*\*required\*\* \|/m);
    assert.match(doc, /^\| `web\.port` \| integer, 1 to 65535 \| `9899` \|/m);
    assert.match(doc, /^\| `bridge\.permissions` \| .* \| `\{ <homeserver\.domain>: user \}` \|/m);
  });

  it("changes when the schema does", () => {
    const changed = structuredClone(CONFIG_SCHEMA) as unknown as ObjectNode;
    const web = changed.fields.web as ObjectNode;
    (web.fields as Record<string, unknown>).port = { ...web.fields.port, default: 8099 };
    assert.notEqual(renderConfigDocs(changed), renderConfigDocs());
    assert.match(renderConfigDocs(changed), /`web\.port` \| integer, 1 to 65535 \| `8099`/);
  });
});
