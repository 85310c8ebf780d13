import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sanitizeForMatrix } from "../../src/convert/sanitize";
import { mattermostToMatrix } from "../../src/mattermost/convert/from-mattermost";
import type { MatrixContentOut } from "../../src/mattermost/convert/types";
import { mattermostCtx } from "./golden/mattermost/context";
import { mattermostGoldens } from "./golden/mattermost/from-mattermost";

function content(message: string, type = ""): MatrixContentOut {
  const result = mattermostToMatrix({ message, type }, mattermostCtx);
  assert.equal(result.kind, "message");
  return (result as { content: MatrixContentOut }).content;
}

function timed(message: string): MatrixContentOut {
  const started = performance.now();
  const out = content(message);
  assert.ok(performance.now() - started < 1500, `took ${Math.round(performance.now() - started)} ms`);
  return out;
}

describe("mattermostToMatrix golden pairs", () => {
  for (const golden of mattermostGoldens) {
    it(golden.name, () => {
      assert.deepEqual(mattermostToMatrix(golden.input, mattermostCtx), golden.expected);
    });
  }

  it("has a golden table large enough to mean something", () => {
    assert.ok(mattermostGoldens.length >= 40, `only ${mattermostGoldens.length} cases`);
  });

  it("only ever emits HTML the sanitizer would leave as it is", () => {
    for (const golden of mattermostGoldens) {
      if (golden.expected.kind !== "message") continue;
      const html = golden.expected.content.formatted_body;
      if (html !== undefined) assert.equal(sanitizeForMatrix(html), html, golden.name);
    }
  });
});

describe("mattermostToMatrix on hostile or huge posts", () => {
  it("converts a post of the server's maximum size", () => {
    const line = "**bold** @alice :smile: `code` [l](https://e.org) ~~s~~ _i_\n";
    const message = line.repeat(Math.floor(16383 / line.length));
    const out = timed(message);
    assert.equal(out["m.mentions"].user_ids.length, 1);
    assert.equal((out.formatted_body?.match(/<strong>/g) ?? []).length, Math.floor(16383 / line.length));
  });

  it("stays linear on unclosed delimiters, brackets and backticks", () => {
    // Four times the server's limit: a renderer that searched again for a closer it already failed to find would
    // take seconds here.
    for (const unit of ["*", "*a ", "a *", "_a ", "**a ", "[", "[a](", "`a", "``a`", "~~a ", "<http:", "@", ":a", "\\"]) {
      const message = unit.repeat(Math.ceil(64000 / unit.length));
      const out = timed(message);
      assert.ok(!/<script|on\w+=/i.test(out.formatted_body ?? ""), unit);
    }
  });

  it("caps nesting instead of exhausting the stack", () => {
    timed("> ".repeat(5000) + "deep");
    timed("- ".repeat(5000) + "deep");
    const emphasis = timed(`${"*a ".repeat(3000)}x${" a*".repeat(3000)}`);
    assert.ok((emphasis.formatted_body?.match(/<em>/g) ?? []).length <= 16);
  });

  it("never lets a mention target's display name or mxid inject markup", () => {
    const ctx = { mentionTarget: () => ({ mxid: '@x:e.org"><script>', displayName: "<img src=x onerror=alert(1)>" }) };
    const result = mattermostToMatrix({ message: "hi @eve" }, ctx);
    assert.equal(result.kind, "message");
    const html = (result as { content: MatrixContentOut }).content.formatted_body ?? "";
    assert.ok(!/<script|<img/.test(html), html);
  });

  it("does not mistake a custom emoji name for an object property", () => {
    assert.equal(content(":__proto__: :constructor: :toString:").body, ":__proto__: :constructor: :toString:");
  });
});
