// Message attachments (integrations' cards, `slack_attachment` posts) into Matrix: golden pairs of the post as the
// server sends it and the Matrix content the bridge makes of it, through the adapter and the connector's converter.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { attachmentsMarkdown } from "../../src/mattermost/convert/attachments";
import { MattermostConnector } from "../../src/mattermost/network";
import { toMessage } from "../../src/mattermost/network-convert";
import type { MmPost } from "../../src/mattermost/types";
import type { ToMatrixHooks } from "../../src/network/convert";
import { mattermostCtx } from "./golden/mattermost/context";

const { converter } = new MattermostConnector({ serverUrl: "https://chat.example.org/" });
const hooks: ToMatrixHooks = { mentionTarget: (u) => mattermostCtx.mentionTarget(u), imageCopy: () => null };

function post(message: string, props: Record<string, unknown>, type = "slack_attachment"): MmPost {
  return { id: "p".repeat(26), channel_id: "c".repeat(26), user_id: "u".repeat(26), root_id: "", message, type, props, create_at: 1_700_000_000_000, update_at: 0, edit_at: 0, delete_at: 0 };
}

const toMatrix = (message: string, props: Record<string, unknown>) => converter.toMatrix(toMessage(post(message, props)), hooks);

const GOLDENS: Array<{ name: string; message: string; props: Record<string, unknown>; body: string; html?: string }> = [
  {
    name: "a card with every part, under the post's text",
    message: "Build finished",
    props: {
      attachments: [{
        fallback: "Build 42 passed", color: "#36a64f", pretext: "CI says:", author_name: "ci-bot", author_link: "https://ci.example.org/bot",
        title: "Build 42", title_link: "https://ci.example.org/42", text: "All **green**.",
        fields: [{ title: "Branch", value: "main", short: true }, { title: "Time", value: 93, short: true }],
        image_url: "https://ci.example.org/badge.png", footer: "ci.example.org",
      }],
    },
    body:
      "Build finished\n\nCI says:\n\n> ci-bot (https://ci.example.org/bot)\n>\n> Build 42 (https://ci.example.org/42)\n>\n> All green.\n>\n" +
      "> Branch\n> main\n>\n> Time\n> 93\n>\n> image (https://ci.example.org/badge.png)\n>\n> ci.example.org",
    html:
      "<p>Build finished</p><p>CI says:</p><blockquote><p><a href=\"https://ci.example.org/bot\">ci-bot</a></p>" +
      "<p><strong><a href=\"https://ci.example.org/42\">Build 42</a></strong></p><p>All <strong>green</strong>.</p>" +
      "<p><strong>Branch</strong><br />main</p><p><strong>Time</strong><br />93</p><p><a href=\"https://ci.example.org/badge.png\">image</a></p>" +
      "<p>ci.example.org</p></blockquote>",
  },
  {
    name: "an attachment with nothing else shows its fallback, a post with no text only its cards",
    message: "",
    props: { attachments: [{ fallback: "Deploy *done*", color: "good" }] },
    body: "Deploy *done*",
  },
  {
    name: "plain parts stay plain: Markdown in a title or author is shown as written",
    message: "",
    props: { attachments: [{ author_name: "**not bold**", title: "_a_ [b](c)" }] },
    body: "> **not bold**\n>\n> _a_ [b](c)",
    html: "<blockquote><p>**not bold**</p><p><strong>_a_ [b](c)</strong></p></blockquote>",
  },
  {
    name: "links other than http(s) are left out, the text kept",
    message: "",
    props: { attachments: [{ title: "Open", title_link: "javascript:alert(1)", image_url: "file:///etc/passwd", text: "x" }] },
    body: "> Open\n>\n> x",
    html: "<blockquote><p><strong>Open</strong></p><p>x</p></blockquote>",
  },
  {
    name: "two attachments are two quotes",
    message: "",
    props: { attachments: [{ text: "one" }, { text: "two" }] },
    body: "> one\n\n> two",
    html: "<blockquote><p>one</p></blockquote><blockquote><p>two</p></blockquote>",
  },
];

describe("Mattermost message attachments into Matrix", () => {
  for (const g of GOLDENS) {
    it(g.name, () => {
      const content = toMatrix(g.message, g.props);
      assert.equal(content?.body, g.body);
      assert.equal(content?.formatted_body, g.html);
    });
  }

  it("ignores what is not an attachment list, and shows nothing for a post of none", () => {
    for (const props of [{}, { attachments: "x" }, { attachments: [null, 3, "s", []] }, { attachments: [{ color: "red", fields: "no" }] }]) {
      assert.equal(attachmentsMarkdown(props), "", JSON.stringify(props));
    }
    assert.equal(attachmentsMarkdown(null), "");
    assert.equal(toMatrix("", { attachments: [] }), null);
    assert.equal(toMatrix("just text", {})?.body, "just text");
  });

  it("caps what it shows of a huge card", () => {
    const md = attachmentsMarkdown({ attachments: Array.from({ length: 50 }, () => ({ text: "y".repeat(10_000), fields: Array.from({ length: 100 }, () => ({ title: "t", value: "v" })) })) });
    assert.ok(md.length <= 12_003, `${md.length} characters`);
    assert.ok(md.endsWith("\n\n…"), "says it was cut");
    const content = toMatrix("", { attachments: [{ text: "z".repeat(9_000) }, { text: "w".repeat(9_000) }] });
    assert.ok(Buffer.byteLength(JSON.stringify(content)) < 40_000, "the Matrix content stays small");
  });

  it("keeps a plugin's own post types out", () => {
    assert.equal(converter.toMatrix(toMessage(post("", { attachments: [{ text: "x" }] }, "custom_poll")), hooks), null);
  });
});
