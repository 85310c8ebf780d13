// Golden pairs for gitterToMatrix: a Gitter message (text + the HTML Gitter's server renders for it) and the exact
// Matrix content expected. HTML inputs follow Gitter's markdown processor output (mention spans, rel/target/class
// on links, highlight.js spans in code, a single paragraph unwrapped).
import type { GitterMessageIn, GitterToMatrixContext, MatrixMessageContent } from "../../../src/gitter/convert/types";

export interface GitterGolden {
  name: string;
  input: GitterMessageIn;
  expected: MatrixMessageContent;
}

const KNOWN: Record<string, { mxid: string; displayName: string }> = {
  bob: { mxid: "@gitter_bob:example.org", displayName: "Bob Builder" },
  alice: { mxid: "@gitter_alice:example.org", displayName: "Alice" },
};

export const gitterCtx: GitterToMatrixContext = {
  mentionTarget: (username) => KNOWN[username.toLowerCase()] ?? null,
};

const BOB_PILL = '<a href="https://matrix.to/#/@gitter_bob:example.org">Bob Builder</a>';
const ALICE_PILL = '<a href="https://matrix.to/#/@gitter_alice:example.org">Alice</a>';
const span = (name: string): string =>
  `<span data-link-type="mention" data-screen-name="${name}" class="mention">@${name}</span>`;

function plain(body: string, msgtype: "m.text" | "m.emote" = "m.text"): MatrixMessageContent {
  return { msgtype, body, "m.mentions": { user_ids: [] } };
}

function rich(body: string, html: string, userIds: string[] = [], msgtype: "m.text" | "m.emote" = "m.text") {
  const content: MatrixMessageContent = {
    msgtype, body, "m.mentions": { user_ids: userIds }, format: "org.matrix.custom.html", formatted_body: html,
  };
  return content;
}

const LONG = "lorem ipsum ".repeat(420).trim();

export const gitterGoldens: GitterGolden[] = [
  { name: "plain text", input: { text: "hello world", html: "hello world" }, expected: plain("hello world") },
  {
    name: "escaped HTML characters stay plain",
    input: { text: "a < b && c > d", html: "a &lt; b &amp;&amp; c &gt; d" },
    expected: plain("a < b && c > d"),
  },
  {
    name: "bold and italic",
    input: { text: "**bold** and *it*", html: "<strong>bold</strong> and <em>it</em>" },
    expected: rich("**bold** and *it*", "<strong>bold</strong> and <em>it</em>"),
  },
  { name: "strike", input: { text: "~~gone~~", html: "<del>gone</del>" }, expected: rich("~~gone~~", "<del>gone</del>") },
  {
    name: "legacy strike tag becomes del",
    input: { text: "~~old~~", html: "<strike>old</strike>" },
    expected: rich("~~old~~", "<del>old</del>"),
  },
  {
    name: "inline code keeps escaping",
    input: { text: "`x < y`", html: "<code>x &lt; y</code>" },
    expected: rich("`x < y`", "<code>x &lt; y</code>"),
  },
  {
    name: "code block with language loses highlight spans",
    input: {
      text: "```js\nvar x = 1;\n```",
      html: '<pre><code class="language-js"><span class="hljs-keyword">var</span> x = <span class="hljs-number">1</span>;</code></pre>',
    },
    expected: rich("```js\nvar x = 1;\n```", '<pre><code class="language-js">var x = 1;</code></pre>'),
  },
  {
    name: "code class that is not language-* is dropped",
    input: { text: "```\nx\n```", html: '<pre><code class="javascript">x</code></pre>' },
    expected: rich("```\nx\n```", "<pre><code>x</code></pre>"),
  },
  {
    name: "bullet list",
    input: { text: "- a\n- b", html: "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n" },
    expected: rich("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
  },
  {
    name: "nested ordered list keeps start",
    input: { text: "3. c\n   - d", html: '<ol start="3">\n<li>c<ul>\n<li>d</li>\n</ul>\n</li>\n</ol>\n' },
    expected: rich("3. c\n   - d", '<ol start="3">\n<li>c<ul>\n<li>d</li>\n</ul>\n</li>\n</ol>'),
  },
  {
    name: "quote",
    input: { text: "> wise words", html: "<blockquote>\n<p>wise words</p>\n</blockquote>\n" },
    expected: rich("> wise words", "<blockquote>\n<p>wise words</p>\n</blockquote>"),
  },
  { name: "heading", input: { text: "# Title", html: "<h1>Title</h1>\n" }, expected: rich("# Title", "<h1>Title</h1>") },
  {
    name: "line breaks alone need no HTML",
    input: { text: "line one\nline two", html: "line one<br>line two" },
    expected: plain("line one\nline two"),
  },
  {
    name: "paragraphs alone need no HTML",
    input: { text: "first\n\nsecond", html: "<p>first</p><p>second</p>" },
    expected: plain("first\n\nsecond"),
  },
  {
    name: "autolinked URL needs no HTML",
    input: {
      text: "see https://example.org/x",
      html: 'see <a href="https://example.org/x" rel="nofollow" target="_blank" class="link">https://example.org/x</a>',
    },
    expected: plain("see https://example.org/x"),
  },
  {
    name: "named link keeps only href",
    input: {
      text: "[docs](https://example.org/docs)",
      html: '<a href="https://example.org/docs" rel="nofollow" target="_blank" class="link">docs</a>',
    },
    expected: rich("[docs](https://example.org/docs)", '<a href="https://example.org/docs">docs</a>'),
  },
  {
    name: "protocol-relative link becomes https",
    input: { text: "[p](//example.org/p)", html: '<a href="//example.org/p" rel="nofollow">p</a>' },
    expected: rich("[p](//example.org/p)", '<a href="https://example.org/p">p</a>'),
  },
  {
    name: "known mention becomes a pill",
    input: { text: "hi @bob", html: `hi ${span("bob")}`, mentions: [{ screenName: "bob", userId: "5f00000000000000000000b3" }] },
    expected: rich("hi @bob", `hi ${BOB_PILL}`, ["@gitter_bob:example.org"]),
  },
  {
    name: "unknown mention stays text",
    input: { text: "hi @zed", html: `hi ${span("zed")}`, mentions: [{ screenName: "zed", userId: "5f00000000000000000000e1" }] },
    expected: plain("hi @zed"),
  },
  {
    name: "a mention Gitter resolved to no user stays text, even when the name looks like a ghost",
    input: { text: "hi @bob", html: `hi ${span("bob")}`, mentions: [{ screenName: "bob" }] },
    expected: plain("hi @bob"),
  },
  {
    name: "only server-confirmed mentions become pills",
    input: { text: "@bob and @alice", html: `${span("bob")} and ${span("alice")}`, mentions: [{ screenName: "Bob", userId: "5f00000000000000000000b3" }] },
    expected: rich("@bob and @alice", `${BOB_PILL} and @alice`, ["@gitter_bob:example.org"]),
  },
  {
    name: "repeated mention is listed once",
    input: { text: "@bob @bob", html: `${span("bob")} ${span("bob")}` },
    expected: rich("@bob @bob", `${BOB_PILL} ${BOB_PILL}`, ["@gitter_bob:example.org"]),
  },
  {
    name: "pill inside emphasis",
    input: { text: "**@alice** wins", html: `<strong>${span("alice")}</strong> wins` },
    expected: rich("**@alice** wins", `<strong>${ALICE_PILL}</strong> wins`, ["@gitter_alice:example.org"]),
  },
  {
    name: "group mention stays text",
    input: {
      text: "@all look",
      html: '<span data-link-type="groupmention" data-group-name="all" class="groupmention">@all</span> look',
      mentions: [{ screenName: "all" }],
    },
    expected: plain("@all look"),
  },
  {
    name: "status message becomes an emote without the sender's mention",
    input: { text: "@alice waves", html: `${span("alice")} waves`, status: true, fromUsername: "alice" },
    expected: plain("waves", "m.emote"),
  },
  {
    name: "status message without a known sender drops its leading mention and keeps later pills",
    input: { text: "@alice high-fives @bob", html: `${span("alice")} high-fives ${span("bob")}`, status: true },
    expected: rich("high-fives @bob", `high-fives ${BOB_PILL}`, ["@gitter_bob:example.org"], "m.emote"),
  },
  {
    name: "status message sent without the prefix is kept whole",
    input: { text: "dances", html: "dances", status: true, fromUsername: "alice" },
    expected: plain("dances", "m.emote"),
  },
  {
    name: "status message only drops the sender, not another user",
    input: { text: "@bob is here", html: `${span("bob")} is here`, status: true, fromUsername: "alice" },
    expected: rich("@bob is here", `${BOB_PILL} is here`, ["@gitter_bob:example.org"], "m.emote"),
  },
  { name: "emoji", input: { text: "🎉 shipped :tada:", html: "🎉 shipped :tada:" }, expected: plain("🎉 shipped :tada:") },
  {
    name: "right-to-left text with a pill",
    input: { text: "שלום @bob", html: `שלום ${span("bob")}` },
    expected: rich("שלום @bob", `שלום ${BOB_PILL}`, ["@gitter_bob:example.org"]),
  },
  { name: "unicode in bold", input: { text: "**你好**", html: "<strong>你好</strong>" }, expected: rich("**你好**", "<strong>你好</strong>") },
  {
    name: "script typed as text stays text",
    input: { text: "<script>alert(1)</script>", html: "&lt;script&gt;alert(1)&lt;/script&gt;" },
    expected: plain("<script>alert(1)</script>"),
  },
  {
    name: "script element is dropped with its content",
    input: { text: "hi **there**", html: "<p>hi <strong>there</strong></p><script>alert(1)</script>" },
    expected: rich("hi **there**", "<p>hi <strong>there</strong></p>"),
  },
  {
    name: "event handler attributes are dropped",
    input: { text: "**x**", html: '<strong onclick="alert(1)" onmouseover="x()">x</strong>' },
    expected: rich("**x**", "<strong>x</strong>"),
  },
  {
    name: "javascript: link keeps only its text",
    input: { text: "click **b**", html: '<a href="javascript:alert(1)">click</a> <b>b</b>' },
    expected: rich("click **b**", "click <b>b</b>"),
  },
  {
    name: "style element and style attributes are dropped",
    input: { text: "red *e*", html: '<style>body{display:none}</style><span style="color:red">red</span> <em style="x">e</em>' },
    expected: rich("red *e*", "red <em>e</em>"),
  },
  {
    name: "non-mxc image becomes a link",
    input: { text: "![cat](https://example.org/cat.png)", html: '<img src="https://example.org/cat.png" alt="cat" rel="nofollow">' },
    expected: rich("![cat](https://example.org/cat.png)", '<a href="https://example.org/cat.png">cat</a>'),
  },
  {
    name: "data: image leaves its description",
    input: { text: "x **y**", html: '<img src="data:image/png;base64,AAAA" alt="x"> <b>y</b>' },
    expected: rich("x **y**", "x <b>y</b>"),
  },
  {
    name: "mxc image is kept",
    input: { text: "pic", html: '<img src="mxc://example.org/abc" alt="pic" onerror="x()">' },
    expected: rich("pic", '<img src="mxc://example.org/abc" alt="pic" />'),
  },
  {
    name: "iframe is dropped",
    input: { text: "**a**", html: '<iframe src="https://evil.example"></iframe><b>a</b>' },
    expected: rich("**a**", "<b>a</b>"),
  },
  {
    name: "table",
    input: {
      text: "| a | b |\n|---|---|\n| 1 | 2 |",
      html: "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>",
    },
    expected: rich(
      "| a | b |\n|---|---|\n| 1 | 2 |",
      "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>",
    ),
  },
  {
    name: "code block keeps blank lines and HTML-looking text escaped",
    input: { text: "```\n<b>x</b>\n\n*y*\n```", html: "<pre><code>&lt;b&gt;x&lt;/b&gt;\n\n*y*\n</code></pre>" },
    expected: rich("```\n<b>x</b>\n\n*y*\n```", "<pre><code>&lt;b&gt;x&lt;/b&gt;\n\n*y*\n</code></pre>"),
  },
  {
    name: "second-level heading and a nested quote",
    input: {
      text: "## Second\n> outer\n>> inner",
      html: "<h2>Second</h2>\n<blockquote>\n<p>outer</p>\n<blockquote>\n<p>inner</p>\n</blockquote>\n</blockquote>",
    },
    expected: rich(
      "## Second\n> outer\n>> inner",
      "<h2>Second</h2>\n<blockquote>\n<p>outer</p>\n<blockquote>\n<p>inner</p>\n</blockquote>\n</blockquote>",
    ),
  },
  {
    name: "ordered list",
    input: { text: "1. one\n2. two", html: "<ol>\n<li>one</li>\n<li>two</li>\n</ol>" },
    expected: rich("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
  },
  { name: "emoji alone", input: { text: "👍", html: "👍" }, expected: plain("👍") },
  {
    name: "joined emoji and combining accents are kept as sent",
    input: { text: "👩‍👩‍👧 e\u0301", html: "👩‍👩‍👧 e\u0301" },
    expected: plain("👩‍👩‍👧 e\u0301"),
  },
  {
    name: "right-to-left text around inline code",
    input: { text: "مرحبا `code` عالم", html: "مرحبا <code>code</code> عالم" },
    expected: rich("مرحبا `code` عالم", "مرحبا <code>code</code> عالم"),
  },
  {
    name: "link label with emphasis",
    input: {
      text: "[**bold** docs](https://example.org)",
      html: '<a href="https://example.org" rel="nofollow noopener noreferrer" target="_blank" class="link"><strong>bold</strong> docs</a>',
    },
    expected: rich("[**bold** docs](https://example.org)", '<a href="https://example.org"><strong>bold</strong> docs</a>'),
  },
  {
    name: "HTML comment typed as text stays text",
    input: { text: "<!-- comment --> visible", html: "&lt;!-- comment --&gt; visible" },
    expected: plain("<!-- comment --> visible"),
  },
  {
    name: "mention followed by a link with a query string",
    input: {
      text: "@bob: see https://example.org/a?b=1&c=2",
      html:
        `${span("bob")}: see <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener noreferrer" target="_blank" ` +
        'class="link">https://example.org/a?b=1&amp;c=2</a>',
      mentions: [{ screenName: "bob", userId: "5f00000000000000000000b3" }],
    },
    expected: rich(
      "@bob: see https://example.org/a?b=1&c=2",
      `${BOB_PILL}: see <a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>`,
      ["@gitter_bob:example.org"],
    ),
  },
  { name: "long text is never cut", input: { text: LONG, html: LONG }, expected: plain(LONG) },
];
