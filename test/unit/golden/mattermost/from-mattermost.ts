// Golden pairs for mattermostToMatrix: a post as the server sends it and the exact Matrix content expected.
import type { FromMattermost, MattermostPostIn } from "../../../../src/mattermost/convert/types";

export interface MattermostGolden {
  name: string;
  input: MattermostPostIn;
  expected: FromMattermost;
}

export const mattermostGoldens: MattermostGolden[] = [
  {
    name: "plain text stays body only",
    input: {"message":"hello world"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"hello world","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "a quote of two paragraphs keeps one quoted blank line between them",
    input: {"message":"> one\n>\n> two"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"> one\n>\n> two","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<blockquote><p>one</p><p>two</p></blockquote>"}},
  },
  {
    name: "bold italic strike",
    input: {"message":"**bold** *it* _also it_ ~~gone~~ __strong__"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"bold it also it gone strong","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<p><strong>bold</strong> <em>it</em> <em>also it</em> <del>gone</del> <strong>strong</strong></p>"}},
  },
  {
    name: "snake_case and intraword underscores are not emphasis",
    input: {"message":"call my_func_name and __init__ now"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"call my_func_name and init now","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<p>call my_func_name and <strong>init</strong> now</p>"}},
  },
  {
    name: "inline code escapes HTML and keeps markup",
    input: {"message":"use `<b>*x*</b>` here"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"use <b>*x*</b> here","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<p>use <code>&lt;b&gt;*x*&lt;/b&gt;</code> here</p>"}},
  },
  {
    name: "double backtick code span holds a backtick",
    input: {"message":"``a ` b``"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"a ` b","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<p><code>a ` b</code></p>"}},
  },
  {
    name: "unclosed backticks are text",
    input: {"message":"a ` b ``c"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"a ` b ``c","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "fenced code with language",
    input: {"message":"```go\nfunc main() {\n\tfmt.Println(\"<hi>\")\n}\n```"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"func main() {\n\tfmt.Println(\"<hi>\")\n}","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<pre><code class=\"language-go\">func main() {\n\tfmt.Println(\"&lt;hi&gt;\")\n}\n</code></pre>"}},
  },
  {
    name: "fenced code with tildes and no language",
    input: {"message":"~~~\nplain\n~~~"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"plain","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<pre><code>plain\n</code></pre>"}},
  },
  {
    name: "unclosed fence runs to the end",
    input: {"message":"```\nstill code @alice :smile:"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"still code @alice :smile:","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<pre><code>still code @alice :smile:\n</code></pre>"}},
  },
  {
    name: "fence language with odd characters is dropped",
    input: {"message":"```\"><script>\nx\n```"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"x","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<pre><code>x\n</code></pre>"}},
  },
  {
    name: "mention of a known user becomes a pill",
    input: {"message":"hi @alice how are you"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"hi Alice <A> how are you","m.mentions":{"user_ids":["@mattermost_alice:example.org"]},"format":"org.matrix.custom.html","formatted_body":"<p>hi <a href=\"https://matrix.to/#/@mattermost_alice:example.org\">Alice &lt;A&gt;</a> how are you</p>"}},
  },
  {
    name: "mention is case-insensitive",
    input: {"message":"hi @Alice"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"hi Alice <A>","m.mentions":{"user_ids":["@mattermost_alice:example.org"]},"format":"org.matrix.custom.html","formatted_body":"<p>hi <a href=\"https://matrix.to/#/@mattermost_alice:example.org\">Alice &lt;A&gt;</a></p>"}},
  },
  {
    name: "mention followed by a full stop",
    input: {"message":"thanks @alice."},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"thanks Alice <A>.","m.mentions":{"user_ids":["@mattermost_alice:example.org"]},"format":"org.matrix.custom.html","formatted_body":"<p>thanks <a href=\"https://matrix.to/#/@mattermost_alice:example.org\">Alice &lt;A&gt;</a>.</p>"}},
  },
  {
    name: "dotted username",
    input: {"message":"ping @bob.smith"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"ping Bob","m.mentions":{"user_ids":["@mattermost_bob.smith:example.org"]},"format":"org.matrix.custom.html","formatted_body":"<p>ping <a href=\"https://matrix.to/#/@mattermost_bob.smith:example.org\">Bob</a></p>"}},
  },
  {
    name: "unknown mention stays text",
    input: {"message":"hi @nobody"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"hi @nobody","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "mention inside an email address is not one",
    input: {"message":"write to alice@alice.org"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"write to alice@alice.org","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "same user twice is listed once",
    input: {"message":"@alice and @alice again"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"Alice <A> and Alice <A> again","m.mentions":{"user_ids":["@mattermost_alice:example.org"]},"format":"org.matrix.custom.html","formatted_body":"<p><a href=\"https://matrix.to/#/@mattermost_alice:example.org\">Alice &lt;A&gt;</a> and <a href=\"https://matrix.to/#/@mattermost_alice:example.org\">Alice &lt;A&gt;</a> again</p>"}},
  },
  {
    name: "@channel becomes a room mention",
    input: {"message":"@channel meeting now"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"@room meeting now","m.mentions":{"user_ids":[],"room":true}}},
  },
  {
    name: "@here and @all become room mentions",
    input: {"message":"@here or @all?"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"@room or @room?","m.mentions":{"user_ids":[],"room":true}}},
  },
  {
    name: "@channels is not a channel mention",
    input: {"message":"@channels"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"@channels","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "~channel stays text",
    input: {"message":"see ~town-square for details"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"see ~town-square for details","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "system emoji shortcode becomes Unicode",
    input: {"message":"nice :thumbsup: :+1: :heart:"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"nice 👍 👍 ❤️","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "skin tone shortcode",
    input: {"message":":wave_medium_skin_tone:"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"👋🏽","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "custom emoji stays as text",
    input: {"message":"go :partyparrot:!"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"go :partyparrot:!","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "adjacent shortcodes",
    input: {"message":":smile::smile:"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"😄😄","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "times are not emoji",
    input: {"message":"at 10:30:00 sharp"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"at 10:30:00 sharp","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "mention and emoji inside code stay as written",
    input: {"message":"`@alice :smile: @channel`"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"@alice :smile: @channel","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<p><code>@alice :smile: @channel</code></p>"}},
  },
  {
    name: "single newlines are line breaks",
    input: {"message":"line one\nline two\n\nnew paragraph"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"line one\nline two\n\nnew paragraph","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "heading",
    input: {"message":"## Release *1.2*"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"Release 1.2","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<h2>Release <em>1.2</em></h2>"}},
  },
  {
    name: "hash without space is not a heading",
    input: {"message":"#hashtag here"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"#hashtag here","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "block quote",
    input: {"message":"> quoted **text**\n> second\n\nreply"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"> quoted text\n> second\n\nreply","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<blockquote><p>quoted <strong>text</strong><br />second</p></blockquote><p>reply</p>"}},
  },
  {
    name: "bullet list",
    input: {"message":"- one\n- two with `code`\n* three"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"- one\n- two with code\n- three","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<ul><li>one</li><li>two with <code>code</code></li><li>three</li></ul>"}},
  },
  {
    name: "ordered list starting at 3",
    input: {"message":"3. c\n4. d"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"3. c\n4. d","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<ol start=\"3\"><li>c</li><li>d</li></ol>"}},
  },
  {
    name: "nested list",
    input: {"message":"- a\n  - a1\n  - a2\n- b"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"- a\n  - a1\n  - a2\n- b","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<ul><li>a<ul><li>a1</li><li>a2</li></ul></li><li>b</li></ul>"}},
  },
  {
    name: "a year does not start a list inside a paragraph",
    input: {"message":"it was\n2019. A year"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"it was\n2019. A year","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "horizontal rule",
    input: {"message":"above\n\n---\n\nbelow"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"above\n\n---\n\nbelow","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<p>above</p><hr /><p>below</p>"}},
  },
  {
    name: "table",
    input: {"message":"| name | value |\n| :--- | ---: |\n| a | **1** |\n| b\\|c | 2 |"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"name | value\na | 1\nb|c | 2","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<table><thead><tr><th>name</th><th>value</th></tr></thead><tbody><tr><td>a</td><td><strong>1</strong></td></tr><tr><td>b|c</td><td>2</td></tr></tbody></table>"}},
  },
  {
    name: "markdown link",
    input: {"message":"see [the docs](https://docs.mattermost.com/a_(b)) now"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"see the docs (https://docs.mattermost.com/a_(b)) now","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<p>see <a href=\"https://docs.mattermost.com/a_(b)\">the docs</a> now</p>"}},
  },
  {
    name: "javascript link loses its target",
    input: {"message":"[click](javascript:alert(1))"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"click","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "data link loses its target",
    input: {"message":"[img](data:text/html;base64,PHNjcmlwdD4=)"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"img","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "bare URL is linked, trailing full stop excluded",
    input: {"message":"go to https://example.org/a_b_c."},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"go to https://example.org/a_b_c.","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<p>go to <a href=\"https://example.org/a_b_c\">https://example.org/a_b_c</a>.</p>"}},
  },
  {
    name: "www URL is linked with http",
    input: {"message":"www.example.com"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"www.example.com","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<p><a href=\"http://www.example.com\">www.example.com</a></p>"}},
  },
  {
    name: "angle autolink",
    input: {"message":"<https://example.org/?q=1&r=2>"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"https://example.org/?q=1&r=2","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<p><a href=\"https://example.org/?q=1&amp;r=2\">https://example.org/?q=1&amp;r=2</a></p>"}},
  },
  {
    name: "raw HTML is shown as text",
    input: {"message":"<script>alert(1)</script><img src=x onerror=alert(1)>"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"<script>alert(1)</script><img src=x onerror=alert(1)>","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "HTML entities are shown as written",
    input: {"message":"&lt;b&gt; &amp; &copy;"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"&lt;b&gt; &amp; &copy;","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "attribute injection through link text",
    input: {"message":"[\"><img src=x>](https://example.org/\"onmouseover=\"x)"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"\"><img src=x> (https://example.org/\"onmouseover=\"x)","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<p><a href=\"https://example.org/&quot;onmouseover=&quot;x\">\"&gt;&lt;img src=x&gt;</a></p>"}},
  },
  {
    name: "backslash escapes",
    input: {"message":"\\*not em\\* and \\@alice and \\:smile\\:"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"*not em* and @alice and :smile:","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "emphasis, strong and strike nest",
    input: {"message":"*a **b ~~c *d* c~~ b** a*"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"a b c d c b a","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<p><em>a <strong>b <del>c <em>d</em> c</del> b</strong> a</em></p>"}},
  },
  {
    name: "me post becomes an emote without its asterisks",
    input: {"message":"*waves*","type":"me"},
    expected: {"kind":"message","content":{"msgtype":"m.emote","body":"waves","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "me post with bold keeps it",
    input: {"message":"***waves** hard*","type":"me"},
    expected: {"kind":"message","content":{"msgtype":"m.emote","body":"waves hard","m.mentions":{"user_ids":[]},"format":"org.matrix.custom.html","formatted_body":"<p><strong>waves</strong> hard</p>"}},
  },
  {
    name: "deleted post is ignored",
    input: {"message":"gone","delete_at":1700000000000},
    expected: {"kind":"ignore","reason":"deleted"},
  },
  {
    name: "system post is ignored",
    input: {"message":"alice joined the channel.","type":"system_join_channel"},
    expected: {"kind":"ignore","reason":"system"},
  },
  {
    name: "plugin post is ignored",
    input: {"message":"call started","type":"custom_calls"},
    expected: {"kind":"ignore","reason":"unsupported-type"},
  },
  {
    name: "empty post is ignored",
    input: {"message":"   "},
    expected: {"kind":"ignore","reason":"empty"},
  },
  {
    name: "message of a wrong type converts as empty",
    input: { message: 42 } as unknown as MattermostPostIn, // wire data of the wrong type
    expected: {"kind":"ignore","reason":"empty"},
  },
  {
    name: "NUL characters are dropped",
    input: {"message":"a\u0000b"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"ab","m.mentions":{"user_ids":[]}}},
  },
  {
    name: "CRLF line endings",
    input: {"message":"a\r\nb"},
    expected: {"kind":"message","content":{"msgtype":"m.text","body":"a\nb","m.mentions":{"user_ids":[]}}},
  },
];
