import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mattermostToMatrix } from "../../src/mattermost/convert/from-mattermost";
import { escapePlain, matrixToMattermost } from "../../src/mattermost/convert/from-matrix";
import { MATTERMOST_MAX_RUNES, type MatrixContentOut } from "../../src/mattermost/convert/types";
import { matrixCtx, mattermostCtx } from "./golden/mattermost/context";
import { matrixGoldens } from "./golden/mattermost/from-matrix";

const html = (formatted_body: string): { msgtype: string; body: string; format: string; formatted_body: string } => ({
  msgtype: "m.text", body: "fallback", format: "org.matrix.custom.html", formatted_body,
});

describe("matrixToMattermost golden pairs", () => {
  for (const golden of matrixGoldens) {
    it(golden.name, () => {
      assert.deepEqual(matrixToMattermost(golden.input, matrixCtx), golden.expected);
    });
  }

  it("has a golden table large enough to mean something", () => {
    assert.ok(matrixGoldens.length >= 30, `only ${matrixGoldens.length} cases`);
  });
});

describe("matrixToMattermost edges", () => {
  it("counts the limit in runes, as the server does, and flags rather than cuts", () => {
    const fits = matrixToMattermost({ msgtype: "m.text", body: "😀".repeat(MATTERMOST_MAX_RUNES) }, matrixCtx);
    assert.equal(fits.tooLong, false, "16,383 emoji are 32,766 UTF-16 units but 16,383 runes");
    const over = matrixToMattermost({ msgtype: "m.text", body: "a".repeat(MATTERMOST_MAX_RUNES + 1) }, matrixCtx);
    assert.equal(over.tooLong, true);
    assert.equal(over.message.length, MATTERMOST_MAX_RUNES + 1);
    const emote = matrixToMattermost({ msgtype: "m.emote", body: "a".repeat(MATTERMOST_MAX_RUNES - 1) }, matrixCtx);
    assert.equal(emote.tooLong, true, "the /me asterisks count too");
  });

  it("survives HTML nested ten thousand deep", () => {
    const out = matrixToMattermost(html(`${"<b>".repeat(10000)}x${"</b>".repeat(10000)}`), matrixCtx);
    assert.match(out.message, /x/);
  });

  it("escapes a plain body so Mattermost shows each character as typed", () => {
    const body = "*a* _b_ `c` [d](e) ~~f~~ \\g # h";
    const back = mattermostToMatrix({ message: escapePlain(body) }, mattermostCtx);
    assert.equal(back.kind, "message");
    assert.equal((back as { content: MatrixContentOut }).content.body, body);
    assert.equal((back as { content: MatrixContentOut }).content.formatted_body, undefined);
  });

  it("round-trips a pill and a room mention through Mattermost", () => {
    const sent = matrixToMattermost(
      { ...html('<a href="https://matrix.to/#/@mattermost_alice:example.org">Alice</a> and @room'), "m.mentions": { room: true } },
      matrixCtx,
    );
    assert.equal(sent.message, "@alice and @channel");
    const back = mattermostToMatrix({ message: sent.message }, mattermostCtx);
    assert.equal(back.kind, "message");
    const content = (back as { content: MatrixContentOut }).content;
    assert.deepEqual(content["m.mentions"], { user_ids: ["@mattermost_alice:example.org"], room: true });
  });

  it("a defused keyword does not come back as a room mention", () => {
    const sent = matrixToMattermost({ msgtype: "m.text", body: "about @channel", "m.mentions": {} }, matrixCtx);
    const back = mattermostToMatrix({ message: sent.message }, mattermostCtx);
    assert.equal(back.kind, "message");
    assert.equal((back as { content: MatrixContentOut }).content["m.mentions"].room, undefined);
  });
});
