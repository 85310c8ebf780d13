// Each adapter's messages as the network interface's values: what a conversion needs (mentions, emote, the sender)
// and a revision that names the version of an edited message the same way every time it is reported.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toMessage as fromGitter } from "../../src/gitter/network-convert";
import type { GitterMessage } from "../../src/gitter/types";
import { toMessage as fromMattermost } from "../../src/mattermost/network-convert";
import type { MmPost } from "../../src/mattermost/types";

const ROOM = "5f0000000000000000000001";

function gitter(extra: Partial<GitterMessage> = {}): GitterMessage {
  return {
    id: "5f00000000000000000000aa",
    text: "hi @bob and @nobody",
    html: "hi",
    sent: "2024-01-02T03:04:05.000Z",
    fromUser: { id: "5f00000000000000000000b0", username: "alice", displayName: "Alice", url: "/alice" },
    ...extra,
  };
}

function post(extra: Partial<MmPost> = {}): MmPost {
  return {
    id: "p".repeat(26),
    channel_id: "c".repeat(26),
    user_id: "u".repeat(26),
    root_id: "",
    message: "hi @bob",
    type: "",
    create_at: 1_700_000_000_000,
    update_at: 1_700_000_000_000,
    edit_at: 0,
    delete_at: 0,
    ...extra,
  };
}

describe("Gitter messages as NetworkMessages", () => {
  it("carries the mentions Gitter resolved, and those it could not, by username", () => {
    const m = fromGitter(ROOM, gitter({ mentions: [{ screenName: "bob", userId: "5f00000000000000000000b1" }, { screenName: "nobody", userIds: [] }] }));
    assert.deepEqual(m.mentions, [{ username: "bob", userId: "5f00000000000000000000b1" }, { username: "nobody" }]);
  });

  it("tells a message without a mention list from one whose list names nobody", () => {
    assert.equal(fromGitter(ROOM, gitter()).mentions, undefined);
    // The cast stands in for wire data: Gitter's validator lets a null list through.
    assert.deepEqual(fromGitter(ROOM, gitter({ mentions: null as unknown as [] })).mentions, []);
    const odd = [null, { userId: "5f00000000000000000000b1" }, { screenName: "bob", userId: 7 }] as unknown as GitterMessage["mentions"];
    assert.deepEqual(fromGitter(ROOM, gitter({ mentions: odd })).mentions, [{ username: "bob" }]);
  });

  it("a status message is an emote sent by its author, whose username the conversion strips", () => {
    const m = fromGitter(ROOM, gitter({ status: true, text: "@alice waves" }));
    assert.equal(m.kind, "emote");
    assert.equal(m.sender?.username, "alice");
  });

  it("its revision is Gitter's version, the same each time that version is reported", () => {
    assert.equal(fromGitter(ROOM, gitter({ v: 3 })).revision, "3");
    assert.equal(fromGitter(ROOM, gitter({ v: 3 })).revision, fromGitter(ROOM, gitter({ v: 3, text: "again" })).revision);
    assert.equal(fromGitter(ROOM, gitter()).revision, undefined);
  });
});

describe("Mattermost posts as NetworkMessages", () => {
  it("an edited post's revision is its edit time; an unedited post has none", () => {
    assert.equal(fromMattermost(post()).revision, undefined);
    const edited = fromMattermost(post({ edit_at: 1_700_000_000_500, update_at: 1_700_000_000_900 }));
    assert.equal(edited.revision, "1700000000500");
    // A reaction moves update_at, not edit_at: the same version of the text keeps its revision.
    assert.equal(fromMattermost(post({ edit_at: 1_700_000_000_500, update_at: 1_700_000_009_000 })).revision, edited.revision);
  });

  it("posts carry no mention list: conversion reads mentions from the text", () => {
    assert.equal(fromMattermost(post()).mentions, undefined);
  });
});
