// Golden pairs for matrixToMattermost: Matrix message content (HTML shaped like what Matrix clients send) and the
// exact Mattermost message expected. U+2060 (WORD JOINER) is how a channel-wide keyword is kept from notifying.
import type { MatrixMessageIn, MattermostMessageOut } from "../../../../src/mattermost/convert/types";

export interface MatrixGolden {
  name: string;
  input: MatrixMessageIn;
  expected: MattermostMessageOut;
}

export const matrixGoldens: MatrixGolden[] = [
  {
    name: "plain body is escaped so it shows as written",
    input: {"msgtype":"m.text","body":"*not em* [x](y) a_b _c_ `tick`"},
    expected: {"message":"\\*not em\\* \\[x\\](y) a_b \\_c\\_ \\`tick\\`","type":"","tooLong":false},
  },
  {
    name: "plain body keeps URLs intact",
    input: {"msgtype":"m.text","body":"see https://example.org/_a_/*b* now"},
    expected: {"message":"see https://example.org/_a_/*b* now","type":"","tooLong":false},
  },
  {
    name: "plain body line starts are escaped",
    input: {"msgtype":"m.text","body":"# not a heading\n- not a list\n1. not a list\n> not a quote"},
    expected: {"message":"\\# not a heading\n\\- not a list\n1\\. not a list\n\\> not a quote","type":"","tooLong":false},
  },
  {
    name: "plain indentation does not become a code block",
    input: {"msgtype":"m.text","body":"code?\n\n    indented"},
    expected: {"message":"code?\n\n\u00a0\u00a0\u00a0\u00a0indented","type":"","tooLong":false},
  },
  {
    name: "plain HTML-looking text is left alone: Mattermost shows it as text",
    input: {"msgtype":"m.text","body":"<b>hi</b> & bye"},
    expected: {"message":"<b>hi</b> & bye","type":"","tooLong":false},
  },
  {
    name: "notice is sent as text",
    input: {"msgtype":"m.notice","body":"Build passed ✅"},
    expected: {"message":"Build passed ✅","type":"","tooLong":false},
  },
  {
    name: "bold italic strike from HTML",
    input: {"msgtype":"m.text","body":"x","format":"org.matrix.custom.html","formatted_body":"<b>bold</b> <em>it</em> <del>gone</del>"},
    expected: {"message":"**bold** *it* ~~gone~~","type":"","tooLong":false},
  },
  {
    name: "pill of a Mattermost user becomes @username",
    input: {"msgtype":"m.text","body":"Alice: hi","format":"org.matrix.custom.html","formatted_body":"<a href=\"https://matrix.to/#/@mattermost_alice:example.org\">Alice</a>: hi","m.mentions":{"user_ids":["@mattermost_alice:example.org"]}},
    expected: {"message":"@alice: hi","type":"","tooLong":false},
  },
  {
    name: "percent-encoded pill",
    input: {"msgtype":"m.text","body":"Bob","format":"org.matrix.custom.html","formatted_body":"<a href=\"https://matrix.to/#/%40mattermost_bob.smith%3Aexample.org\">Bob</a> look"},
    expected: {"message":"@bob.smith look","type":"","tooLong":false},
  },
  {
    name: "pill of a Matrix-only user becomes their name as text",
    input: {"msgtype":"m.text","body":"Carol","format":"org.matrix.custom.html","formatted_body":"hi <a href=\"https://matrix.to/#/@carol:example.org\">Carol *C*</a>"},
    expected: {"message":"hi Carol \\*C\\*","type":"","tooLong":false},
  },
  {
    name: "room mention becomes @channel",
    input: {"msgtype":"m.text","body":"@room lunch","format":"org.matrix.custom.html","formatted_body":"@room lunch","m.mentions":{"room":true}},
    expected: {"message":"@channel lunch","type":"","tooLong":false},
  },
  {
    name: "@room in plain body from a client without m.mentions",
    input: {"msgtype":"m.text","body":"hey @room, lunch"},
    expected: {"message":"hey @channel, lunch","type":"","tooLong":false},
  },
  {
    name: "@room text without a room mention is defused",
    input: {"msgtype":"m.text","body":"the @room keyword","m.mentions":{}},
    expected: {"message":"the @\u2060room keyword","type":"","tooLong":false},
  },
  {
    name: "@channel typed without a room mention is defused",
    input: {"msgtype":"m.text","body":"do not ping @channel or @here or @ALL","m.mentions":{"user_ids":[]}},
    expected: {"message":"do not ping @\u2060channel or @\u2060here or @\u2060ALL","type":"","tooLong":false},
  },
  {
    name: "@channel with a room mention stays",
    input: {"msgtype":"m.text","body":"@here now","m.mentions":{"room":true}},
    expected: {"message":"@here now","type":"","tooLong":false},
  },
  {
    name: "email addresses are not mentions",
    input: {"msgtype":"m.text","body":"mail room@room.org","m.mentions":{}},
    expected: {"message":"mail room@room.org","type":"","tooLong":false},
  },
  {
    name: "@room inside code is left alone",
    input: {"msgtype":"m.text","body":"x","format":"org.matrix.custom.html","formatted_body":"<code>@room @channel</code> and <pre><code>@here\n</code></pre>","m.mentions":{"room":true}},
    expected: {"message":"`@room @channel` and\n\n```\n@here\n```","type":"","tooLong":false},
  },
  {
    name: "plain @username text is passed on as a Mattermost user would type it",
    input: {"msgtype":"m.text","body":"ask @alice"},
    expected: {"message":"ask @alice","type":"","tooLong":false},
  },
  {
    name: "inline code holding backticks",
    input: {"msgtype":"m.text","body":"x","format":"org.matrix.custom.html","formatted_body":"<code>a`b</code>"},
    expected: {"message":"``a`b``","type":"","tooLong":false},
  },
  {
    name: "code block with language",
    input: {"msgtype":"m.text","body":"x","format":"org.matrix.custom.html","formatted_body":"<pre><code class=\"language-python\">print(\"*hi*\")\n</code></pre>"},
    expected: {"message":"```python\nprint(\"*hi*\")\n```","type":"","tooLong":false},
  },
  {
    name: "code block holding a fence",
    input: {"msgtype":"m.text","body":"x","format":"org.matrix.custom.html","formatted_body":"<pre><code>```\ninner\n```\n</code></pre>"},
    expected: {"message":"````\n```\ninner\n```\n````","type":"","tooLong":false},
  },
  {
    name: "link with text",
    input: {"msgtype":"m.text","body":"x","format":"org.matrix.custom.html","formatted_body":"<a href=\"https://example.org/a b(c)\">the site</a>"},
    expected: {"message":"[the site](https://example.org/a%20b%28c%29)","type":"","tooLong":false},
  },
  {
    name: "javascript link keeps only its text",
    input: {"msgtype":"m.text","body":"x","format":"org.matrix.custom.html","formatted_body":"<a href=\"javascript:alert(1)\">click</a>"},
    expected: {"message":"click","type":"","tooLong":false},
  },
  {
    name: "script and style are dropped",
    input: {"msgtype":"m.text","body":"x","format":"org.matrix.custom.html","formatted_body":"a<script>alert(1)</script><style>b{}</style>b"},
    expected: {"message":"ab","type":"","tooLong":false},
  },
  {
    name: "escaped HTML text stays text",
    input: {"msgtype":"m.text","body":"x","format":"org.matrix.custom.html","formatted_body":"&lt;img src=x onerror=alert(1)&gt; *stars*"},
    expected: {"message":"<img src=x onerror=alert(1)> \\*stars\\*","type":"","tooLong":false},
  },
  {
    name: "lists and quotes",
    input: {"msgtype":"m.text","body":"x","format":"org.matrix.custom.html","formatted_body":"<blockquote><p>quoted</p></blockquote><ol start=\"2\"><li>two</li><li>three<ul><li>inner</li></ul></li></ol>"},
    expected: {"message":"> quoted\n\n2. two\n3. three\n   - inner","type":"","tooLong":false},
  },
  {
    name: "heading and rule",
    input: {"msgtype":"m.text","body":"x","format":"org.matrix.custom.html","formatted_body":"<h3>Title</h3><hr><p>after</p>"},
    expected: {"message":"### Title\n\n---\n\nafter","type":"","tooLong":false},
  },
  {
    name: "table",
    input: {"msgtype":"m.text","body":"x","format":"org.matrix.custom.html","formatted_body":"<table><tr><th>a</th><th>b|c</th></tr><tr><td>1</td><td>2</td></tr></table>"},
    expected: {"message":"| a | b\\|c |\n| --- | --- |\n| 1 | 2 |","type":"","tooLong":false},
  },
  {
    name: "line breaks",
    input: {"msgtype":"m.text","body":"x","format":"org.matrix.custom.html","formatted_body":"one<br>two<br/>three"},
    expected: {"message":"one\ntwo\nthree","type":"","tooLong":false},
  },
  {
    name: "reply fallback is dropped from HTML",
    input: {"msgtype":"m.text","body":"> <@a:b> old\n\nnew","format":"org.matrix.custom.html","formatted_body":"<mx-reply><blockquote>old</blockquote></mx-reply>new","m.relates_to":{"m.in_reply_to":{"event_id":"$e"}}},
    expected: {"message":"new","type":"","tooLong":false},
  },
  {
    name: "reply fallback is dropped from a plain body",
    input: {"msgtype":"m.text","body":"> <@a:b> old\n\nnew *one*","m.relates_to":{"m.in_reply_to":{"event_id":"$e"}}},
    expected: {"message":"new \\*one\\*","type":"","tooLong":false},
  },
  {
    name: "emote is posted as /me",
    input: {"msgtype":"m.emote","body":"waves"},
    expected: {"message":"*waves*","type":"me","tooLong":false},
  },
  {
    name: "emote with HTML",
    input: {"msgtype":"m.emote","body":"x","format":"org.matrix.custom.html","formatted_body":"waves at <a href=\"https://matrix.to/#/@mattermost_alice:example.org\">Alice</a>"},
    expected: {"message":"*waves at @alice*","type":"me","tooLong":false},
  },
  {
    name: "empty emote posts nothing",
    input: {"msgtype":"m.emote","body":"  "},
    expected: {"message":"","type":"","tooLong":false},
  },
  {
    name: "HTML that renders to nothing falls back to the body",
    input: {"msgtype":"m.text","body":"fallback *text*","format":"org.matrix.custom.html","formatted_body":"<script>x</script>"},
    expected: {"message":"fallback \\*text\\*","type":"","tooLong":false},
  },
  {
    name: "emoji shortcodes typed in Matrix are passed on",
    input: {"msgtype":"m.text","body":"nice :tada:"},
    expected: {"message":"nice :tada:","type":"","tooLong":false},
  },
  {
    name: "NUL is dropped",
    input: {"msgtype":"m.text","body":"a\u0000b"},
    expected: {"message":"ab","type":"","tooLong":false},
  },
  {
    name: "missing body",
    input: { msgtype: "m.text" } as unknown as MatrixMessageIn, // wire data without a body
    expected: {"message":"","type":"","tooLong":false},
  },
];
