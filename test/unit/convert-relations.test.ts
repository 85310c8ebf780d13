import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { editOf, mentionedIn, replacementContent, shownContent, showsSame } from "../../src/convert/edits";
import { quoteForGitter, relationOf, threadRelation, withQuote } from "../../src/convert/replies";

describe("edits", () => {
  it("replaces a message with a '* ' fallback and the new content, mentioning only new people at the top", () => {
    const next = {
      msgtype: "m.text",
      body: "hi @bob and @carol",
      format: "org.matrix.custom.html",
      formatted_body: "hi <a>Bob</a> and <a>Carol</a>",
      "m.mentions": { user_ids: ["@gitter_bob:x", "@gitter_carol:x"] },
      "m.relates_to": { rel_type: "m.thread", event_id: "$root" },
    };
    assert.deepEqual(replacementContent(next, "$orig", ["@gitter_bob:x"]), {
      msgtype: "m.text",
      body: "* hi @bob and @carol",
      format: "org.matrix.custom.html",
      formatted_body: "* hi <a>Bob</a> and <a>Carol</a>",
      "m.mentions": { user_ids: ["@gitter_carol:x"] },
      "m.new_content": {
        msgtype: "m.text",
        body: "hi @bob and @carol",
        format: "org.matrix.custom.html",
        formatted_body: "hi <a>Bob</a> and <a>Carol</a>",
        "m.mentions": { user_ids: ["@gitter_bob:x", "@gitter_carol:x"] },
      },
      "m.relates_to": { rel_type: "m.replace", event_id: "$orig" },
    });
  });

  it("replaces an image with an image", () => {
    const next = { msgtype: "m.image", body: "cat.png", url: "mxc://s/i", info: { size: 1 } };
    const out = replacementContent(next, "$img", []);
    assert.deepEqual(out["m.new_content"], next);
    assert.equal(out.body, "* cat.png");
    assert.equal(out.url, "mxc://s/i");
    assert.deepEqual(out["m.mentions"], { user_ids: [] });
  });

  it("reads an edit only when it is well formed", () => {
    const good = { body: "* new", "m.new_content": { msgtype: "m.text", body: "new" }, "m.relates_to": { rel_type: "m.replace", event_id: "$e" } };
    assert.deepEqual(editOf(good), { eventId: "$e", content: { msgtype: "m.text", body: "new" } });
    assert.equal(editOf({ ...good, "m.new_content": "x" }), null);
    assert.equal(editOf({ ...good, "m.new_content": { body: "no msgtype" } }), null);
    assert.equal(editOf({ ...good, "m.relates_to": { rel_type: "m.thread", event_id: "$e" } }), null);
    assert.equal(editOf({ body: "plain" }), null);
  });

  it("lists who an event mentioned, ignoring junk", () => {
    assert.deepEqual(mentionedIn({ "m.mentions": { user_ids: ["@a:x", 5, "@b:x"] } }), ["@a:x", "@b:x"]);
    assert.deepEqual(mentionedIn({ "m.mentions": "x" }), []);
    assert.deepEqual(mentionedIn(null), []);
  });
});

describe("what a message shows", () => {
  const text = (body: string, extra: Record<string, unknown> = {}) => ({ msgtype: "m.text", body, ...extra });

  it("reads the latest edit the homeserver bundles, else the event's own content", () => {
    const edited = { content: text("old"), unsigned: { "m.relations": { "m.replace": { content: { "m.new_content": text("new") } } } } };
    assert.deepEqual(shownContent(edited), text("new"));
    assert.deepEqual(shownContent({ content: text("old"), unsigned: { "m.relations": { "m.replace": { event_id: "$e" } } } }), text("old"));
    assert.equal(shownContent(null), undefined);
  });

  it("tells a change of kind, text, formatting or media from none", () => {
    const shown = text("hi", { format: "org.matrix.custom.html", formatted_body: "<b>hi</b>", "m.mentions": { user_ids: [] } });
    assert.equal(showsSame(shown, text("hi", { format: "org.matrix.custom.html", formatted_body: "<b>hi</b>" })), true);
    assert.equal(showsSame(shown, text("hi")), false);
    assert.equal(showsSame(shown, { ...shown, msgtype: "m.emote" }), false);
    assert.equal(showsSame({ msgtype: "m.image", body: "a.png", url: "mxc://x/1" }, { msgtype: "m.image", body: "a.png", url: "mxc://x/2" }), false);
    assert.equal(showsSame(undefined, text("hi")), false);
  });
});

describe("threads and replies", () => {
  it("puts a message in a thread with a reply fallback to the thread's latest message", () => {
    assert.deepEqual(threadRelation("$root", "$latest"), {
      rel_type: "m.thread",
      event_id: "$root",
      is_falling_back: true,
      "m.in_reply_to": { event_id: "$latest" },
    });
  });

  it("tells a real reply inside a thread from the thread fallback", () => {
    const rel = (r: Record<string, unknown>) => relationOf({ body: "x", "m.relates_to": r });
    assert.deepEqual(rel({ rel_type: "m.thread", event_id: "$t", is_falling_back: true, "m.in_reply_to": { event_id: "$l" } }), { threadRoot: "$t" });
    assert.deepEqual(rel({ rel_type: "m.thread", event_id: "$t", "m.in_reply_to": { event_id: "$r" } }), { threadRoot: "$t", replyTo: "$r" });
    assert.deepEqual(rel({ rel_type: "m.thread", event_id: "$t" }), { threadRoot: "$t" });
    assert.deepEqual(rel({ "m.in_reply_to": { event_id: "$r" } }), { replyTo: "$r" });
    assert.deepEqual(rel({ rel_type: "m.replace", event_id: "$e" }), {});
    assert.deepEqual(relationOf({ body: "no relation" }), {});
    assert.deepEqual(relationOf({ "m.relates_to": "junk" }), {});
  });

  it("quotes the replied-to message in up to three lines, without its own reply fallback", () => {
    assert.equal(quoteForGitter("@bob", "hello there"), "> @bob: hello there");
    assert.equal(quoteForGitter("@bob", "> <@x:y> older\n\none\n\ntwo\nthree\nfour"), "> @bob: one\n> two\n> three\n> …");
    assert.equal(quoteForGitter("Carol", "x".repeat(200)), `> Carol: ${"x".repeat(160)}…`);
    assert.equal(withQuote("> @bob: hi", "my answer"), "> @bob: hi\n\nmy answer");
  });
});
