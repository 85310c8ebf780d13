// Golden pairs for matrixToGitter: Matrix message content (HTML shaped like what Matrix clients send) and the exact
// Gitter message expected.
import type { MatrixMessageIn, MatrixToGitterContext } from "../../../src/convert/types";
import type { GitterMessageOut } from "../../../src/gitter/convert/types";

export interface MatrixGolden {
  name: string;
  input: MatrixMessageIn;
  /** Extra context for this case only. */
  ctx?: Partial<MatrixToGitterContext>;
  expected: GitterMessageOut;
}

const USERNAMES: Record<string, string> = {
  "@gitter_bob:example.org": "bob",
  "@me:example.org": "me_on_gitter",
};

export const matrixCtx: MatrixToGitterContext = { usernameForMxid: (mxid) => USERNAMES[mxid] ?? null };

const REPLY = { "m.relates_to": { "m.in_reply_to": { event_id: "$original:example.org" } } };

function html(formatted: string, msgtype = "m.text", extra: Partial<MatrixMessageIn> = {}): MatrixMessageIn {
  return { msgtype, body: "(plain fallback)", format: "org.matrix.custom.html", formatted_body: formatted, ...extra };
}

function out(text: string, status = false): GitterMessageOut {
  return { text, status, tooLong: false };
}

const PILL = (mxid: string, name: string): string => `<a href="https://matrix.to/#/${mxid}">${name}</a>`;

export const matrixGoldens: MatrixGolden[] = [
  {
    name: "plain body passes through unescaped",
    input: { msgtype: "m.text", body: "hello *world* [x] # y_z\n- not a list?" },
    expected: out("hello *world* [x] # y_z\n- not a list?"),
  },
  { name: "notice is sent as text", input: { msgtype: "m.notice", body: "Build passed ✅" }, expected: out("Build passed ✅") },
  {
    name: "bold, italic and strike",
    input: html("<strong>bold</strong>, <em>it</em> and <del>gone</del>"),
    expected: out("**bold**, *it* and ~~gone~~"),
  },
  {
    name: "b, i, s and strike tags",
    input: html("<b>b</b> <i>i</i> <s>s</s> <strike>k</strike>"),
    expected: out("**b** *i* ~~s~~ ~~k~~"),
  },
  { name: "inline code", input: html("use <code>npm test</code> now"), expected: out("use `npm test` now") },
  {
    name: "inline code containing backticks",
    input: html("<code>a`b</code> and <code>`x`</code>"),
    expected: out("``a`b`` and `` `x` ``"),
  },
  {
    name: "code block with language",
    input: html('<pre><code class="language-ts">const x = 1;\nif (a &lt; b) {}\n</code></pre>\n'),
    expected: out("```ts\nconst x = 1;\nif (a < b) {}\n```"),
  },
  {
    name: "code block containing a fence gets a longer fence",
    input: html("<pre><code>```\nnested\n```\n</code></pre>"),
    expected: out("````\n```\nnested\n```\n````"),
  },
  {
    name: "code block content is not escaped",
    input: html("<pre><code>*not* _em_ [x]</code></pre>"),
    expected: out("```\n*not* _em_ [x]\n```"),
  },
  { name: "bullet list", input: html("<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"), expected: out("- one\n- two") },
  {
    name: "nested lists",
    input: html("<ul><li>a<ul><li>b<ul><li>c</li></ul></li></ul></li><li>d</li></ul>"),
    expected: out("- a\n  - b\n    - c\n- d"),
  },
  {
    name: "ordered list with start and nested content",
    input: html('<ol start="9"><li>nine</li><li><p>ten</p><ul><li>sub</li></ul></li></ol>'),
    expected: out("9. nine\n10. ten\n    - sub"),
  },
  { name: "paragraph then list", input: html("<p>Todo:</p><ul><li>x</li></ul>"), expected: out("Todo:\n\n- x") },
  {
    name: "quote with paragraphs and line breaks",
    input: html("<blockquote>\n<p>first<br>second</p>\n<p>third</p>\n</blockquote>\n<p>reply</p>"),
    expected: out("> first\n> second\n>\n> third\n\nreply"),
  },
  {
    name: "nested quote",
    input: html("<blockquote><blockquote>deep</blockquote>shallow</blockquote>"),
    expected: out("> > deep\n>\n> shallow"),
  },
  {
    name: "headings",
    input: html("<h1>One</h1><h3>Three <em>it</em></h3>"),
    expected: out("# One\n\n### Three *it*"),
  },
  { name: "line breaks", input: html("one<br>two<br />three"), expected: out("one\ntwo\nthree") },
  { name: "source whitespace collapses", input: html("<p>a\n  b</p>\n\n<p>c</p>"), expected: out("a b\n\nc") },
  { name: "horizontal rule", input: html("<p>above</p><hr><p>below</p>"), expected: out("above\n\n---\n\nbelow") },
  {
    name: "named link",
    input: html('<a href="https://example.org/a_(b)">the docs</a>'),
    expected: out("[the docs](https://example.org/a_%28b%29)"),
  },
  {
    name: "link showing its own address stays bare",
    input: html('see <a href="https://example.org">https://example.org</a>'),
    expected: out("see https://example.org"),
  },
  {
    name: "mailto link becomes the address",
    input: html('<a href="mailto:a@example.org">a@example.org</a>'),
    expected: out("a@example.org"),
  },
  {
    name: "javascript: link keeps only its text",
    input: html('<a href="javascript:alert(1)">click me</a>'),
    expected: out("click me"),
  },
  {
    name: "ghost pill becomes @username",
    input: html(`hi ${PILL("@gitter_bob:example.org", "Bob Builder")}!`),
    expected: out("hi @bob!"),
  },
  {
    name: "pill of a bridged Matrix user becomes their Gitter username",
    input: html(`${PILL("@me:example.org", "Me")}: ping`),
    expected: out("@me_on_gitter: ping"),
  },
  {
    name: "pill of a Matrix-only user becomes their name",
    input: html(`${PILL("@carol:matrix.org", "Carol")} said hi`),
    expected: out("Carol said hi"),
  },
  {
    name: "pill of a Matrix-only user uses the supplied display name",
    input: html(`${PILL("@carol:matrix.org", "carol")} said hi`),
    ctx: { displayNameForMxid: (mxid) => (mxid === "@carol:matrix.org" ? "Carol C." : null) },
    expected: out("Carol C. said hi"),
  },
  {
    name: "percent-encoded pill and matrix: URI pill",
    input: html('<a href="https://matrix.to/#/%40gitter_bob%3Aexample.org">B</a> <a href="matrix:u/gitter_bob:example.org">B</a>'),
    expected: out("@bob @bob"),
  },
  {
    name: "room link stays a link",
    input: html('<a href="https://matrix.to/#/#room:example.org">#room:example.org</a>'),
    expected: out("[#room:example.org](https://matrix.to/#/#room:example.org)"),
  },
  {
    name: "Markdown metacharacters in text are escaped",
    input: html("<p>2*3*4 and [x](y) and `tick` and a\\*b</p>"),
    expected: out("2\\*3\\*4 and \\[x\\](y) and \\`tick\\` and a\\\\\\*b"),
  },
  {
    name: "underscores are escaped only at word edges",
    input: html("<p>snake_case and _em_ and __init__</p>"),
    expected: out("snake_case and \\_em\\_ and \\_\\_init\\_\\_"),
  },
  {
    name: "line-start markers are escaped, mid-line ones are not",
    input: html("<p># not a heading<br>1. not a list<br>- nor this<br>&gt; nor a quote<br>---<br>a # b - c 1. d</p>"),
    expected: out("\\# not a heading\n1\\. not a list\n\\- nor this\n\\> nor a quote\n\\---\na # b - c 1. d"),
  },
  {
    name: "tildes are escaped only when doubled",
    input: html("<p>~approx and ~~not strike~~</p>"),
    expected: out("~approx and \\~\\~not strike\\~\\~"),
  },
  { name: "emphasis whitespace moves outside the markers", input: html("<strong> spaced </strong>x"), expected: out("**spaced** x") },
  {
    name: "underline, spoiler, font and sup keep their text",
    input: html('<u>under</u> <span data-mx-spoiler>secret</span> <font color="red">red</font> x<sup>2</sup>'),
    expected: out("under secret red x2"),
  },
  { name: "plain emote is a status", input: { msgtype: "m.emote", body: "waves" }, expected: out("waves", true) },
  {
    name: "emote reads like Gitter's /me when the sender's username is known",
    input: { msgtype: "m.emote", body: "waves" },
    ctx: { ownUsername: "me_on_gitter" },
    expected: out("@me_on_gitter waves", true),
  },
  { name: "formatted emote", input: html("dances <em>wildly</em>", "m.emote"), expected: out("dances *wildly*", true) },
  {
    name: "HTML reply fallback is dropped",
    input: html(
      '<mx-reply><blockquote><a href="https://matrix.to/#/!room:example.org/$ev">In reply to</a> ' +
        `${PILL("@carol:matrix.org", "@carol:matrix.org")}<br>original</blockquote></mx-reply>my <b>answer</b>`,
      "m.text",
      REPLY,
    ),
    expected: out("my **answer**"),
  },
  {
    name: "plain reply fallback is dropped",
    input: { msgtype: "m.text", body: "> <@carol:matrix.org> original\n> second line\n\nmy answer", ...REPLY },
    expected: out("my answer"),
  },
  {
    name: "leading quote in a message that is not a reply is kept",
    input: { msgtype: "m.text", body: "> quoted\n\nmine" },
    expected: out("> quoted\n\nmine"),
  },
  {
    name: "reply without a fallback keeps its quote",
    input: { msgtype: "m.text", body: "> just a quote", ...REPLY },
    expected: out("> just a quote"),
  },
  {
    name: "emoji, unicode and right-to-left text",
    input: html("<p>🎉 <strong>مرحبا</strong> 你好</p>"),
    expected: out("🎉 **مرحبا** 你好"),
  },
  {
    name: "HTML typed as plain text passes through (Gitter shows it as text)",
    input: { msgtype: "m.text", body: "<b>not bold</b> & <script>x</script>" },
    expected: out("<b>not bold</b> & <script>x</script>"),
  },
  {
    name: "escaped HTML in formatted text becomes literal characters",
    input: html("<p>a &lt;b&gt; &amp; c</p>"),
    expected: out("a <b> & c"),
  },
  { name: "emoji with a skin tone alone", input: { msgtype: "m.text", body: "👍🏽" }, expected: out("👍🏽") },
  { name: "right-to-left plain text keeps its newline", input: { msgtype: "m.text", body: "שלום\nעולם" }, expected: out("שלום\nעולם") },
  {
    name: "joined emoji, combining accents and right-to-left emphasis",
    input: html("<p>👩‍👩‍👧 e\u0301 <em>עברית</em></p>"),
    expected: out("👩‍👩‍👧 e\u0301 *עברית*"),
  },
  {
    name: "code block keeps blank lines, indentation and HTML characters",
    input: html("<pre><code>&lt;div&gt;\n\n  indented &amp; more\n</code></pre>"),
    expected: out("```\n<div>\n\n  indented & more\n```"),
  },
  { name: "sixth-level heading", input: html("<h6>tiny</h6>"), expected: out("###### tiny") },
  { name: "inline code in a heading", input: html("<h2>Use <code>npm</code></h2>"), expected: out("## Use `npm`") },
  {
    name: "pill inside bold",
    input: html(`<strong>ping ${PILL("@gitter_bob:example.org", "Bob")}</strong>`),
    expected: out("**ping @bob**"),
  },
  {
    name: "link and inline code inside a list item",
    input: html('<ul><li><a href="https://example.org">site</a> and <code>x</code></li></ul>'),
    expected: out("- [site](https://example.org) and `x`"),
  },
  { name: "an empty line made of two breaks", input: html("line<br><br>after blank"), expected: out("line\n\nafter blank") },
  {
    name: "table",
    input: html(
      "<table><thead><tr><th>a</th><th>b|c</th></tr></thead><tbody><tr><td>1</td><td><code>2</code></td></tr></tbody></table>",
    ),
    expected: out("| a | b\\|c |\n| --- | --- |\n| 1 | `2` |"),
  },
  {
    name: "mxc image with a media URL",
    input: html('<img src="mxc://example.org/abc" alt="cat pic">'),
    ctx: { mediaUrl: (mxc) => `https://media.example/${mxc.slice("mxc://".length)}` },
    expected: out("![cat pic](https://media.example/example.org/abc)"),
  },
  {
    name: "mxc image without a media URL leaves its description",
    input: html('<img src="mxc://example.org/abc" alt="cat pic">'),
    expected: out("cat pic"),
  },
  {
    name: "script and style are dropped",
    input: html("<script>alert(1)</script><style>p{}</style><p>safe</p>"),
    expected: out("safe"),
  },
  {
    name: "formatted_body without a format is ignored",
    input: { msgtype: "m.text", body: "**raw**", formatted_body: "<b>x</b>" },
    expected: out("**raw**"),
  },
  {
    name: "HTML that renders to nothing falls back to the body",
    input: html("<mx-reply><blockquote>old</blockquote></mx-reply>", "m.text", { body: "fallback text" }),
    expected: out("fallback text"),
  },
  {
    name: "4096 characters fit",
    input: { msgtype: "m.text", body: "a".repeat(4096) },
    expected: { text: "a".repeat(4096), status: false, tooLong: false },
  },
  {
    name: "4097 characters are flagged, not cut",
    input: { msgtype: "m.text", body: "a".repeat(4097) },
    expected: { text: "a".repeat(4097), status: false, tooLong: true },
  },
];
