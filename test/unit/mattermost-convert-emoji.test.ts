import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  emojiNameToUnicode, isSystemEmojiName, isValidEmojiName, reactionToMatrix, reactionToMattermost, unicodeToEmojiName,
} from "../../src/mattermost/convert/emoji";
import { IMAGE_ONLY_SYSTEM_EMOJI, SYSTEM_EMOJI } from "../../src/mattermost/convert/emoji-data";

describe("Mattermost emoji table", () => {
  it("holds the whole of the server's SystemEmojis", () => {
    // emoji_data.go has 4,465 names: 4,464 with code points and the image-only `mattermost`.
    assert.equal(SYSTEM_EMOJI.reduce((n, [, names]) => n + names.length, 0), 4464);
    assert.deepEqual(IMAGE_ONLY_SYSTEM_EMOJI, ["mattermost"]);
  });

  it("maps names, aliases and skin tones to Unicode", () => {
    assert.equal(emojiNameToUnicode("thumbsup"), "👍");
    assert.equal(emojiNameToUnicode("+1"), "👍");
    assert.equal(emojiNameToUnicode("heart"), "❤️");
    assert.equal(emojiNameToUnicode("+1_medium_skin_tone"), "👍🏽");
    assert.equal(emojiNameToUnicode("thumbsup_dark_skin_tone"), "👍🏿");
    assert.equal(emojiNameToUnicode("female-doctor"), "👩‍⚕️");
    assert.equal(emojiNameToUnicode("partyparrot"), null);
    assert.equal(emojiNameToUnicode("mattermost"), null);
    assert.equal(emojiNameToUnicode("__proto__"), null);
  });

  it("maps Unicode back to the picker's name, with or without U+FE0F", () => {
    assert.equal(unicodeToEmojiName("👍"), "+1");
    assert.equal(unicodeToEmojiName("❤️"), "heart");
    assert.equal(unicodeToEmojiName("❤"), "heart");
    assert.equal(unicodeToEmojiName("👍🏽"), "+1_medium_skin_tone");
    assert.equal(unicodeToEmojiName("😄"), "smile");
    assert.equal(unicodeToEmojiName("hello"), null);
  });

  it("knows the system names, image-only ones included", () => {
    assert.equal(isSystemEmojiName("mattermost"), true);
    assert.equal(isSystemEmojiName("smile"), true);
    assert.equal(isSystemEmojiName("partyparrot"), false);
    assert.equal(isValidEmojiName("party_parrot-2+"), true);
    assert.equal(isValidEmojiName("thank you"), false);
    assert.equal(isValidEmojiName("a".repeat(65)), false);
  });
});

describe("reactions both ways", () => {
  it("gives Matrix Unicode where there is one, else :name: text", () => {
    assert.deepEqual(reactionToMatrix("tada"), { key: "🎉", unicode: true });
    assert.deepEqual(reactionToMatrix("partyparrot"), { key: ":partyparrot:", unicode: false });
    assert.deepEqual(reactionToMatrix("mattermost"), { key: ":mattermost:", unicode: false });
  });

  it("gives Mattermost a name, or says the reaction cannot be one", () => {
    assert.deepEqual(reactionToMattermost("🎉"), { kind: "emoji", name: "tada" });
    assert.deepEqual(reactionToMattermost("👍️"), { kind: "emoji", name: "+1" });
    assert.deepEqual(reactionToMattermost(":partyparrot:"), { kind: "emoji", name: "partyparrot" });
    assert.deepEqual(reactionToMattermost(":mattermost:"), { kind: "emoji", name: "mattermost" });
    assert.deepEqual(reactionToMattermost("+1"), { kind: "not-representable", reason: "no-emoji-name" });
    assert.deepEqual(reactionToMattermost("👍 nice"), { kind: "not-representable", reason: "no-emoji-name" });
    assert.deepEqual(reactionToMattermost(":no spaces:"), { kind: "not-representable", reason: "no-emoji-name" });
    assert.deepEqual(reactionToMattermost("  "), { kind: "not-representable", reason: "empty" });
  });

  it("round-trips every Unicode system emoji through its picker name", () => {
    for (const [, names] of SYSTEM_EMOJI) {
      const name = names[0]!;
      const { key } = reactionToMatrix(name);
      assert.deepEqual(reactionToMattermost(key), { kind: "emoji", name }, name);
    }
  });
});
