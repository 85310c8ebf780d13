// Mattermost's golden pairs again, each going the way the bridge takes it now: through the connector's converter
// (src/network/convert.ts). A post as the server sends it is made a NetworkMessage by the adapter and converted to
// Matrix; Matrix content is converted and posted as the adapter posts it. Each must come out exactly as the pure
// converters' goldens say, with the limit counted as the server counts it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MATTERMOST_MAX_RUNES } from "../../src/mattermost/convert/types";
import { MattermostConnector } from "../../src/mattermost/network";
import { toMessage } from "../../src/mattermost/network-convert";
import { outgoingText, outgoingType } from "../../src/mattermost/network-history";
import type { MmPost } from "../../src/mattermost/types";
import type { FromMatrixHooks, MatrixTextIn, ToMatrixHooks } from "../../src/network/convert";
import { matrixCtx, mattermostCtx } from "./golden/mattermost/context";
import { matrixGoldens } from "./golden/mattermost/from-matrix";
import { mattermostGoldens } from "./golden/mattermost/from-mattermost";

const connector = new MattermostConnector({ serverUrl: "https://chat.example.org/" });
const { converter } = connector;

const toMatrixHooks: ToMatrixHooks = { mentionTarget: (u) => mattermostCtx.mentionTarget(u), imageCopy: () => null };
const fromMatrixHooks: FromMatrixHooks = { usernameForMxid: (m) => matrixCtx.usernameForMxid(m), ownUsername: "me.on.mattermost", mediaUrl: () => null };

/** A post of a user (or the server) as GET /posts sends it. */
function post(message: string, type = "", n = 1): MmPost {
  const id = `p${String(n).padStart(25, "0")}`;
  return { id, channel_id: "c".repeat(26), user_id: "u".repeat(26), root_id: "", message, type, create_at: 1_700_000_000_000 + n, update_at: 0, edit_at: 0, delete_at: 0 };
}

describe("Mattermost's converter through the connector", () => {
  it("is the connector's and its clients', named Mattermost, with the server's limit", () => {
    const client = connector.resume("t".repeat(26), { id: "u".repeat(26), username: "me.on.mattermost", displayName: "Me" });
    assert.equal(client.profile.converter, converter);
    assert.equal(converter.networkName, "Mattermost");
    assert.equal(converter.maxTextLength, 16383);
    assert.equal(client.profile.webUrl, "https://chat.example.org");
  });

  describe("a post into Matrix", () => {
    mattermostGoldens.forEach((golden, n) => {
      const type = golden.input.type ?? "";
      // History never carries deleted posts, and a plugin's post type reaches the core only as a system one.
      if (golden.input.delete_at || !["", "me"].includes(type)) return;
      it(golden.name, () => {
        const msg = toMessage(post(golden.input.message, type, n));
        const expected = golden.expected.kind === "message" ? golden.expected.content : null;
        assert.deepEqual(converter.toMatrix(msg, toMatrixHooks), expected);
      });
    });

    it("shows nothing of the server's own posts, nor copies images", () => {
      const joined = toMessage(post("alice joined the channel.", "system_join_channel"));
      assert.equal(converter.toMatrix(joined, toMatrixHooks), null);
      assert.deepEqual(converter.images(toMessage(post("![cat](https://example.org/cat.png)"))), { inline: [] });
    });

    it("pills a mention and mentions the room for @channel", () => {
      const content = converter.toMatrix(toMessage(post("hi @alice, see @channel")), toMatrixHooks);
      assert.deepEqual(content?.["m.mentions"], { user_ids: ["@mattermost_alice:example.org"], room: true });
      assert.match(String(content?.formatted_body), /href="https:\/\/matrix\.to\/#\/@mattermost_alice:example\.org"/);
    });

    it("makes a /me post an emote without its asterisks", () => {
      const msg = toMessage(post("*waves*", "me"));
      assert.deepEqual([msg.kind, msg.text], ["emote", "waves"], "the emote's text, as an emote is sent");
      const content = converter.toMatrix(msg, toMatrixHooks);
      assert.deepEqual(content, { msgtype: "m.emote", body: "waves", "m.mentions": { user_ids: [] } });
      const unwrapped = converter.toMatrix(toMessage(post("waves *twice*", "me")), toMatrixHooks);
      assert.deepEqual(unwrapped?.body, "waves twice", "a /me post not in asterisks taken as it is");
    });
  });

  describe("Matrix content into a post", () => {
    for (const golden of matrixGoldens) {
      it(golden.name, () => {
        const out = converter.fromMatrix(golden.input as MatrixTextIn, fromMatrixHooks);
        assert.equal(outgoingText(out), golden.expected.message, "posted as the adapter posts it");
        assert.equal(outgoingType(out) ?? "", golden.expected.type, "with the type the adapter gives it");
        assert.equal(out.kind, golden.expected.type === "me" ? "emote" : "text");
        assert.equal(converter.textLength(out) > converter.maxTextLength, golden.expected.tooLong);
      });
    }

    it("writes a pill as @username and a room mention as @channel", () => {
      const out = converter.fromMatrix(
        {
          msgtype: "m.text",
          body: "Bob: ping @room",
          format: "org.matrix.custom.html",
          formatted_body: '<a href="https://matrix.to/#/@mattermost_bob.smith:example.org">Bob</a>: ping @room',
          "m.mentions": { user_ids: ["@mattermost_bob.smith:example.org"], room: true },
        },
        fromMatrixHooks,
      );
      assert.deepEqual(out, { text: "@bob.smith: ping @channel", kind: "text" });
    });

    it("gives an emote's text alone, the asterisks the adapter adds counted against the limit", () => {
      const out = converter.fromMatrix({ msgtype: "m.emote", body: "waves" }, fromMatrixHooks);
      assert.deepEqual(out, { text: "waves", kind: "emote" });
      assert.equal(outgoingText(out), "*waves*");
      assert.equal(converter.textLength({ text: "a".repeat(MATTERMOST_MAX_RUNES - 2), kind: "emote" }), MATTERMOST_MAX_RUNES);
      assert.equal(converter.textLength({ text: "a".repeat(MATTERMOST_MAX_RUNES - 1), kind: "emote" }), MATTERMOST_MAX_RUNES + 1);
    });

    it("counts runes, as the server does", () => {
      assert.equal(converter.textLength({ text: "😀".repeat(MATTERMOST_MAX_RUNES), kind: "text" }), MATTERMOST_MAX_RUNES);
    });

    it("links an inline Matrix image at the address the core shared it at", () => {
      const hooks = { ...fromMatrixHooks, mediaUrl: (mxc: string) => (mxc === "mxc://example.org/cat" ? "https://bridge.example.org/media/cat.png" : null) };
      const out = converter.fromMatrix({ msgtype: "m.text", body: "cat", format: "org.matrix.custom.html", formatted_body: 'look <img src="mxc://example.org/cat" alt="cat">' }, hooks);
      assert.equal(out.text, "look ![cat](https://bridge.example.org/media/cat.png)");
    });

    it("writes a shared file as a Markdown link, or its name unlinked", () => {
      assert.equal(converter.fileLink({ msgtype: "m.file", fileName: "a.pdf", url: "https://bridge.example.org/media/a.pdf", size: 2048 }), "[a.pdf](https://bridge.example.org/media/a.pdf) (2.0 KB)");
      assert.equal(converter.fileLink({ msgtype: "m.image", fileName: "a.png", url: null }), "a.png (file not available)");
    });
  });
});
