// Fuzzing both converters with generated hostile input: Gitter messages whose fields have the wrong types and
// whose HTML is built from attack fragments (scripts, event handlers, javascript: and data: URLs, SVG, styles),
// and Matrix contents with odd fields. Neither converter may throw, and every formatted_body that reaches
// Matrix must fit the spec's allowlist: allowed tags and attributes only, safe URL schemes only.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gitterToMatrix } from "../../src/gitter/convert/from-gitter";
import { matrixToGitter } from "../../src/gitter/convert/from-matrix";
import type { MatrixMessageIn } from "../../src/convert/types";
import type { GitterMessageIn } from "../../src/gitter/convert/types";
import { Fuzz, fuzzSeed } from "../harness/fuzz";
import { assertMatrixSafe } from "../harness/matrix-html";

const ROUNDS = 300;

const ATTACKS = [
  "<script>alert(1)</script>",
  "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
  '<img src="x" onerror="alert(1)">',
  '<img src="mxc://evil/x" onload=alert(1)>',
  '<a href="javascript:alert(1)">a</a>',
  '<a href="JaVaScRiPt:alert(1)">b</a>',
  '<a href=" javascript:alert(1)">c</a>',
  '<a href="java&#x09;script:alert(1)">d</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">e</a>',
  '<a href="vbscript:msgbox(1)">f</a>',
  '<a href="//evil.example/">g</a>',
  '<svg onload="alert(1)"><circle r="1"/></svg>',
  "<iframe src=\"https://evil.example\"></iframe>",
  "<style>body{background:url(javascript:alert(1))}</style>",
  '<div style="background:url(javascript:alert(1))" onclick="x()">h</div>',
  '<form action="https://evil.example"><input name="p"></form>',
  '<object data="x.swf"></object><embed src="x.swf">',
  '<math><mi xlink:href="javascript:alert(1)">m</mi></math>',
  '<span data-link-type="mention" data-screen-name="bob" onmouseover="x()">@bob</span>',
  '<span data-mx-spoiler onclick="x()">s</span>',
  '<code class="language-js onerror">c</code>',
  "<a href='https://ok.example/' target=_blank onclick=steal()>ok</a>",
  "<p><b><i>unclosed",
  "<!-- <script>x</script> -->",
  "<![CDATA[<script>x</script>]]>",
  "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
  "<base href=javascript:/>",
  "<table><tr><td background=javascript:alert(1)>t</td></tr></table>",
];

function hostileHtml(f: Fuzz): string {
  const parts: string[] = [];
  for (let i = 0, n = 1 + f.int(5); i < n; i++) parts.push(f.bool(0.7) ? f.pick(ATTACKS) : f.oddString().slice(0, 300));
  return parts.join(f.pick(["", " ", "<br>", "\n"]));
}

function gitterInput(f: Fuzz): GitterMessageIn {
  const odd = <T>(good: T): T => (f.bool(0.25) ? (f.wrong() as T) : good);
  const mentions = f.pick([undefined, [{ screenName: "bob" }], [null], "bob", [{ screenName: 5 }], [{}]]);
  // Wire data: every field may have the wrong type, which the type system cannot express.
  return {
    text: odd(f.oddString()),
    html: odd(hostileHtml(f)),
    status: odd(f.bool(0.2)),
    mentions: mentions as GitterMessageIn["mentions"],
    fromUsername: odd(f.pick(["bob", "alice", f.oddString()])),
  };
}

describe("fuzzing the converters", () => {
  it(`turns ${ROUNDS} hostile Gitter messages into Matrix content that fits the allowlist`, () => {
    const f = new Fuzz(fuzzSeed("Gitter to Matrix"));
    const ctx = { mentionTarget: (u: string) => (u === "bob" ? { mxid: "@gitter_bob:example.org", displayName: 'Bob "<b>"' } : null) };
    let formatted = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const input = gitterInput(f);
      const where = `input ${JSON.stringify(input).slice(0, 300)}`;
      const out = gitterToMatrix(input, ctx);
      assert.equal(typeof out.body, "string", where);
      assert.ok(out.msgtype === "m.text" || out.msgtype === "m.emote", where);
      if (out.formatted_body !== undefined) {
        formatted++;
        assertMatrixSafe(out.formatted_body, where);
      }
    }
    assert.ok(formatted > ROUNDS / 4, `enough outputs carried HTML to check (${formatted})`);
  });

  it("survives 20,000 nested tags in both directions, keeping their text", () => {
    const deep = "<blockquote><i>".repeat(10_000) + "deep text";
    const toMatrix = gitterToMatrix({ text: "deep text", html: deep }, { mentionTarget: () => null });
    assert.match(toMatrix.formatted_body ?? toMatrix.body, /deep text/);
    assertMatrixSafe(toMatrix.formatted_body ?? "", "nested");
    const toGitter = matrixToGitter({ msgtype: "m.text", body: "deep text", format: "org.matrix.custom.html", formatted_body: deep }, { usernameForMxid: () => null });
    assert.match(toGitter.text, /deep text/);
  });

  it(`turns ${ROUNDS} odd Matrix contents into Gitter text without throwing`, () => {
    const f = new Fuzz(fuzzSeed("Matrix to Gitter"));
    const ctx = { usernameForMxid: (m: string) => (m.startsWith("@gitter_") ? "bob" : null), ownUsername: "alice" };
    for (let i = 0; i < ROUNDS; i++) {
      const content = {
        msgtype: f.bool(0.7) ? f.pick(["m.text", "m.emote", "m.notice"]) : f.value(),
        body: f.bool(0.7) ? f.oddString() : f.value(),
        format: f.bool(0.6) ? "org.matrix.custom.html" : f.value(),
        formatted_body: f.bool(0.7) ? hostileHtml(f) : f.value(),
        "m.relates_to": f.pick([undefined, {}, { "m.in_reply_to": { event_id: f.value() } }, f.value()]),
      } as unknown as MatrixMessageIn;
      const out = matrixToGitter(content, ctx);
      const where = `content ${JSON.stringify(content).slice(0, 300)}`;
      assert.equal(typeof out.text, "string", where);
      assert.equal(typeof out.status, "boolean", where);
      assert.equal(out.tooLong, out.text.length > 4096, where);
    }
  });
});
