// Which inbox events the processor wipes from the database's files once handled: messages carrying a token.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventCarriesSecret } from "../../src/puppet/control";

const message = (content: Record<string, unknown>) => ({ type: "m.room.message", event_id: "$e", room_id: "!r:x", sender: "@a:x", content });

describe("eventCarriesSecret", () => {
  it("is a `login token` command, however typed, or an edit whose new content is one", () => {
    for (const body of ["login token abc", "!login token   abc", "LOGIN TOKEN abc", " login token abc\n"]) {
      assert.equal(eventCarriesSecret(message({ msgtype: "m.text", body })), true, body);
    }
    const edit = message({ msgtype: "m.text", body: "* login token abc", "m.new_content": { msgtype: "m.text", body: "login token abc" } });
    assert.equal(eventCarriesSecret(edit), true);
  });

  it("is nothing else", () => {
    for (const body of ["login", "login abc123", "help", "token abc", "say login token abc"]) {
      assert.equal(eventCarriesSecret(message({ msgtype: "m.text", body })), false, body);
    }
    assert.equal(eventCarriesSecret({ ...message({ body: "login token abc" }), type: "m.room.topic" }), false);
    assert.equal(eventCarriesSecret({ type: "m.receipt", content: { "login token abc": {} } }), false);
    assert.equal(eventCarriesSecret({ type: "m.room.message", content: "login token abc" }), false);
  });
});
