import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stripReplyFallback } from "../../src/convert/replies";
import { matrixToGitter } from "../../src/gitter/convert/from-matrix";
import { matrixCtx, matrixGoldens } from "./golden/from-matrix";

describe("matrixToGitter golden pairs", () => {
  for (const golden of matrixGoldens) {
    it(golden.name, () => {
      assert.deepEqual(matrixToGitter(golden.input, { ...matrixCtx, ...golden.ctx }), golden.expected);
    });
  }

  it("has a golden table large enough to mean something", () => {
    assert.ok(matrixGoldens.length >= 40, `only ${matrixGoldens.length} cases`);
  });
});

describe("matrixToGitter edges", () => {
  it("measures length after conversion, so HTML that grows past the limit is flagged", () => {
    const item = "<li><strong>x</strong></li>";
    const out = matrixToGitter(
      { msgtype: "m.text", body: "short", format: "org.matrix.custom.html", formatted_body: `<ul>${item.repeat(600)}</ul>` },
      matrixCtx,
    );
    assert.equal(out.text.length, 600 * "- **x**\n".length - 1);
    assert.equal(out.tooLong, true);
  });

  it("drops U+0000 from plain and HTML messages alike", () => {
    assert.equal(matrixToGitter({ msgtype: "m.text", body: "a\u0000b" }, matrixCtx).text, "ab");
    const html = { msgtype: "m.text", body: "x", format: "org.matrix.custom.html", formatted_body: "a\u0000<b>b</b>" };
    assert.equal(matrixToGitter(html, matrixCtx).text, "a**b**");
  });

  it("leaves the body alone when only the blank line of a fallback is missing", () => {
    assert.equal(stripReplyFallback("> a\n> b"), "> a\n> b");
    assert.equal(stripReplyFallback("> a\n\n"), "");
  });

  it("reads malformed HTML the way a browser would, without throwing", () => {
    const cases: [string, string][] = [
      ["<ul><li>open", "- open"],
      ["</b></i>text", "text"],
      ["<pre>", ""],
      ["<ol start=x><li>a", "1. a"],
      ["<a href>x</a>", "x"],
      ["<table><tr>", ""],
    ];
    for (const [formatted, expected] of cases) {
      const content = { msgtype: "m.text", body: "b", format: "org.matrix.custom.html", formatted_body: formatted };
      assert.equal(matrixToGitter(content, matrixCtx).text, expected || "b", formatted);
    }
  });
});
