import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDocument, DomUtils } from "htmlparser2";
import { gitterToMatrix } from "../../src/gitter/convert/from-gitter";
import { gitterCtx, gitterGoldens } from "./golden/from-gitter";

describe("gitterToMatrix golden pairs", () => {
  for (const golden of gitterGoldens) {
    it(golden.name, () => {
      assert.deepEqual(gitterToMatrix(golden.input, gitterCtx), golden.expected);
    });
  }

  it("converts a message that arrives without html", () => {
    // The cast stands in for an untrusted wire payload that lacks the field.
    const msg = { text: "just text", html: undefined as unknown as string };
    assert.deepEqual(gitterToMatrix(msg, gitterCtx), { msgtype: "m.text", body: "just text", "m.mentions": { user_ids: [] } });
  });

  it("has a golden table large enough to mean something", () => {
    assert.ok(gitterGoldens.length >= 40, `only ${gitterGoldens.length} cases`);
  });
});

// Payloads an attacker could put in `html` if a server (or an emulator, or a proxy) passed it through unescaped.
const HOSTILE_HTML = [
  "<script>alert(1)</script>",
  "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
  "<scr<script>ipt>alert(1)</scr</script>ipt>",
  '<img src=x onerror="alert(1)">',
  '<img src="javascript:alert(1)" alt="a">',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="  javascript:alert(1)">x</a>',
  '<a href="jav&#x09;ascript:alert(1)">x</a>',
  '<a href="&#106;avascript:alert(1)">x</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '<b onclick="alert(1)" onmouseover=alert(2)>x</b>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<svg onload="alert(1)"><circle r="1"/></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<object data="javascript:alert(1)"></object>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
  '<form action="javascript:alert(1)"><button>x</button></form>',
  '<span data-link-type="mention" data-screen-name="bob" onclick="alert(1)" class="mention">@bob</span>',
  '<span data-link-type="mention" data-screen-name="&quot; onclick=&quot;alert(1)" class="mention">@x</span>',
  '<p title="</p><script>alert(1)</script>">x</p>',
  "<!--<script>alert(1)</script>-->",
  '<a href="https://ok.example" onfocus="alert(1)" autofocus>x</a>',
  '<details open ontoggle="alert(1)"><summary>s</summary>d</details>',
  '<code class="language-js" onclick="alert(1)">x</code>',
  '<font color="red" onmouseover="alert(1)">x</font>',
  "<p>unclosed <b>tags <i>everywhere",
  '<img src="mxc://example.org/abc" onload="alert(1)">',
  '<a href="matrix:u/bob:example.org" onclick="alert(1)">m</a>',
];

const BAD_URL = /^\s*(javascript|data|vbscript):/i;

function hostileFindings(html: string): string[] {
  const findings: string[] = [];
  if (/<script/i.test(html)) findings.push("<script");
  const elements = DomUtils.findAll(() => true, parseDocument(html).children);
  for (const el of elements) {
    if (["script", "style", "iframe", "object", "svg", "math", "form"].includes(el.name)) findings.push(`<${el.name}>`);
    for (const [name, value] of Object.entries(el.attribs)) {
      if (/^on/i.test(name)) findings.push(`${el.name}[${name}]`);
      if (BAD_URL.test(value) || /javascript:/i.test(value)) findings.push(`${el.name}[${name}=${value}]`);
      if (name === "style") findings.push(`${el.name}[style]`);
    }
  }
  return findings;
}

describe("gitterToMatrix on hostile HTML", () => {
  it("detects the hostile shapes it is meant to catch", () => {
    // Guards the property below against passing vacuously.
    assert.notDeepEqual(hostileFindings('<a href="javascript:x" onclick="y">z</a><script></script>'), []);
  });

  for (const [i, html] of HOSTILE_HTML.entries()) {
    for (const status of [false, true]) {
      it(`never emits scripts, handlers or dangerous URLs (#${i}${status ? ", as status" : ""})`, () => {
        const out = gitterToMatrix({ text: "hostile", html, status }, gitterCtx);
        const formatted = out.formatted_body ?? "";
        assert.deepEqual(hostileFindings(formatted), [], formatted);
        assert.doesNotMatch(formatted, /javascript:|<script|\son[a-z]+\s*=/i);
      });
    }
  }
});
