// The Gitter golden pairs again, each message going the way the bridge takes it now: Gitter's wire message made a
// NetworkMessage by the Gitter adapter, then read back for the text conversion by Gitter's converter. Each must convert
// exactly as the wire message did: the NetworkMessage loses nothing the conversion reads (mentions, emote, sender).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gitterToMatrix } from "../../src/gitter/convert/from-gitter";
import { toMessage } from "../../src/gitter/network-convert";
import type { GitterMention, GitterMessage } from "../../src/gitter/types";
import { gitterInputOf } from "../../src/gitter/message-converter";
import { gitterCtx, gitterGoldens } from "./golden/from-gitter";
import type { GitterMessageIn } from "../../src/gitter/convert/types";

const ROOM = "5f0000000000000000000001";

/** The golden's input as Gitter sends it; its author is alice unless the golden names one. */
function onTheWire(input: GitterMessageIn, n: number): GitterMessage {
  const username = input.fromUsername ?? "alice";
  const wire: GitterMessage = {
    id: `5f00000000000000000${String(n).padStart(5, "0")}`,
    text: input.text,
    html: input.html,
    sent: "2024-01-02T03:04:05.000Z",
    fromUser: { id: "5f00000000000000000000a1", username, displayName: username, url: `/${username}` },
  };
  if (input.status !== undefined) wire.status = input.status;
  if (input.mentions !== undefined) wire.mentions = input.mentions as GitterMention[];
  return wire;
}

describe("Gitter golden pairs through NetworkMessage", () => {
  gitterGoldens.forEach((golden, n) => {
    it(golden.name, () => {
      const msg = toMessage(ROOM, onTheWire(golden.input, n));
      assert.deepEqual(gitterToMatrix(gitterInputOf(msg), gitterCtx), golden.expected);
    });
  });

  it("a status message whose author is not named in the text keeps the text whole", () => {
    const msg = toMessage(ROOM, onTheWire({ text: "@bob is here", html: "@bob is here", status: true, fromUsername: "carol" }, 0));
    assert.deepEqual(gitterToMatrix(gitterInputOf(msg), gitterCtx), { msgtype: "m.emote", body: "@bob is here", "m.mentions": { user_ids: [] } });
  });
});
