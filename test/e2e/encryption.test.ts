// Encrypted rooms on a real Synapse. The bridge cannot read them, so it must never lose messages there without a
// word: an encrypted direct chat with a ghost is refused with the reason, encryption turned on in a bridged room is
// said at once (there and in the control room), encrypted messages get a notice (not one per message), an
// encrypted direct chat with the bot never replaces the working control room, and each case is counted.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BOT, ghost, startStack, type Stack } from "../harness/e2e-stack";
import type { MatrixUser } from "../harness/matrix-user";
import { sample, scrape } from "../harness/prom";
import { eventually } from "../harness/stack";

type TimelineEvent = { type: string; sender: string; state_key?: string; content: Record<string, unknown> };

const ENCRYPTION = { type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } };
/** What a client that encrypts sends: the bridge sees only this envelope. */
const CIPHERTEXT = { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "AwgAEnAcLt1tWc0Y", sender_key: "c2VuZGVyLWtleQ", session_id: "c2Vzc2lvbg", device_id: "ALICEDEVICE" };

describe("encrypted rooms", { timeout: 300_000 }, () => {
  let stack: Stack;
  let alice: MatrixUser;
  let control: string;

  const history = async (roomId: string): Promise<TimelineEvent[]> => {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`;
    const res = (await alice.client.doRequest("GET", path, { dir: "b", limit: 200 })) as { chunk: TimelineEvent[] };
    return res.chunk.reverse();
  };
  const membership = async (roomId: string, mxid: string) =>
    (await history(roomId)).filter((e) => e.type === "m.room.member" && e.state_key === mxid).at(-1)?.content.membership;
  const counted = async (kind: string) =>
    sample(await scrape(`http://127.0.0.1:${stack.files.webPort}`), "gitter_bridge_encrypted_events_total", { kind }) ?? 0;
  const literally = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));

  before(async () => {
    stack = await startStack({ name: "encryption" });
    alice = await stack.matrixUser("alice");
    control = await stack.logIn(alice, "alice");
  });
  after(() => stack?.stop());

  it("refuses an encrypted direct chat with a ghost, saying why in it and in the control room", async () => {
    const room = await alice.client.createRoom({ invite: [ghost("bob")], is_direct: true, preset: "trusted_private_chat", initial_state: [ENCRYPTION] });
    const why = await alice.waitForMessage(room, ghost("bob"), /^This room is encrypted\./);
    assert.match(why.body, /cannot read encrypted messages.*gjoin bob/);
    await alice.waitForMessage(control, BOT, literally(`You started an encrypted direct chat with bob (${room})`));
    await eventually(async () => (await membership(room, ghost("bob"))) === "leave", "the ghost leaving");
    assert.equal(await membership(room, BOT), undefined, "the room was never made a portal");
    assert.equal(await counted("direct_chat_refused"), 1);
  });

  it("says so when encryption is turned on in a direct chat started from Matrix, and when encrypted messages arrive", async () => {
    const room = await alice.client.createRoom({ invite: [ghost("carol")], is_direct: true, preset: "trusted_private_chat" });
    await eventually(async () => (await alice.client.getJoinedRoomMembers(room)).includes(BOT), "the room becoming carol's portal");
    await alice.client.sendStateEvent(room, "m.room.encryption", "", ENCRYPTION.content);
    const notice = await alice.waitForMessage(room, BOT, /^Encryption was turned on in this room\./);
    assert.match(notice.body, /no longer reaches Gitter/);
    await alice.waitForMessage(control, BOT, literally(`Encryption was turned on in ${room}`));
    assert.equal(await counted("room_encrypted"), 1);

    for (const n of [1, 2, 3]) await alice.client.sendEvent(room, "m.room.encrypted", { ...CIPHERTEXT, ciphertext: `${CIPHERTEXT.ciphertext}${n}` });
    await alice.waitForMessage(room, BOT, /^An encrypted message was not sent to Gitter/);
    await eventually(async () => (await counted("message")) === 3, "all three encrypted messages counted");
    const notices = (await history(room)).filter((e) => e.sender === BOT && /^An encrypted message/.test(String(e.content.body)));
    assert.equal(notices.length, 1, "one notice for the three, not one each");
  });

  it("keeps the control room when invited to an encrypted direct chat, saying why in both", async () => {
    const room = await alice.client.createRoom({ invite: [BOT], is_direct: true, preset: "trusted_private_chat", initial_state: [ENCRYPTION] });
    const why = await alice.waitForMessage(room, BOT, /^This room is encrypted\./);
    assert.match(why.body, literally(`I stay in our other chat (${control})`));
    await alice.waitForMessage(control, BOT, /^You invited me to an encrypted room/);
    await eventually(async () => (await membership(room, BOT)) === "leave", "the bot leaving the encrypted room");
    await alice.client.sendText(control, "status");
    await alice.waitForMessage(control, BOT, /Logged in to Gitter as alice/);
    assert.equal(await counted("control_room_refused"), 1);
  });

  it("says so when encryption is turned on in the control room itself", async () => {
    await alice.client.sendStateEvent(control, "m.room.encryption", "", ENCRYPTION.content);
    const notice = await alice.waitForMessage(control, BOT, /^Encryption was turned on in this room\./);
    assert.match(notice.body, /will not see your commands here/);
    await alice.client.sendEvent(control, "m.room.encrypted", CIPHERTEXT);
    await alice.waitForMessage(control, BOT, /^I cannot read encrypted messages, so I did not see that/);
    assert.equal(await counted("room_encrypted"), 2);
  });
});
