// Contract sections for portals (with the catch-up cursor) and the message ledger.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MessageLink, Portal, SharedMedia } from "../../src/store/store";
import { objectId, uniq, type ContractContext } from "./store-contract-util";

export function roomsContract(ctx: ContractContext): void {
  describe("portals", () => portalsContract(ctx));
  describe("message ledger", () => messagesContract(ctx));
  describe("message threads", () => threadsContract(ctx));
  describe("shared media", () => mediaContract(ctx));
}

function portal(u: string, suffix = "", overrides: Partial<Portal> = {}): Portal {
  return {
    mxid: `@alice-${u}:example.org`,
    gitterRoomId: `room${suffix}${u}`,
    matrixRoomId: `!portal${suffix}-${u}:example.org`,
    oneToOne: false,
    lastGitterMessageId: null,
    bridgeInfoHash: null,
    ...overrides,
  };
}

function portalsContract(ctx: ContractContext): void {
  it("stores a portal and finds it by key, by Matrix room and by user", async () => {
    const u = uniq();
    const group = portal(u, "a");
    const dm = portal(u, "b", { oneToOne: true, lastGitterMessageId: objectId(1_600_000_000) });
    assert.equal(await ctx.store().portals.getPortal(group.mxid, group.gitterRoomId), null);
    await ctx.store().portals.putPortal(dm);
    await ctx.store().portals.putPortal(group);
    await ctx.store().portals.putPortal(portal(uniq()));
    assert.deepEqual(await ctx.store().portals.getPortal(group.mxid, group.gitterRoomId), group);
    assert.deepEqual(await ctx.store().portals.getPortalByMatrixRoom(dm.matrixRoomId), dm);
    assert.deepEqual(await ctx.store().portals.listPortals(group.mxid), [group, dm]);
    assert.deepEqual(await ctx.store().portals.listPortals(`@nobody-${u}:example.org`), []);
  });

  it("replaces the whole row on a second put for the same user and Gitter room", async () => {
    const u = uniq();
    const first = portal(u, "", { lastGitterMessageId: objectId(1_600_000_000) });
    await ctx.store().portals.putPortal(first);
    const second = { ...first, matrixRoomId: `!moved-${u}:example.org`, oneToOne: true, lastGitterMessageId: null };
    await ctx.store().portals.putPortal(second);
    assert.deepEqual(await ctx.store().portals.getPortal(first.mxid, first.gitterRoomId), second);
    assert.equal(await ctx.store().portals.getPortalByMatrixRoom(first.matrixRoomId), null);
  });

  it("gives two users their own portal for the same Gitter room", async () => {
    const u = uniq();
    const alice = portal(u);
    const bob = { ...alice, mxid: `@bob-${u}:example.org`, matrixRoomId: `!bob-${u}:example.org` };
    await ctx.store().portals.putPortal(alice);
    await ctx.store().portals.putPortal(bob);
    assert.deepEqual(await ctx.store().portals.getPortal(bob.mxid, bob.gitterRoomId), bob);
    assert.deepEqual(await ctx.store().portals.getPortal(alice.mxid, alice.gitterRoomId), alice);
  });

  it("refuses a Matrix room that already belongs to another portal", async () => {
    const u = uniq();
    const taken = portal(u, "a");
    await ctx.store().portals.putPortal(taken);
    await assert.rejects(ctx.store().portals.putPortal(portal(u, "b", { matrixRoomId: taken.matrixRoomId })));
    assert.equal(await ctx.store().portals.getPortal(taken.mxid, `roomb${u}`), null);
    assert.deepEqual(await ctx.store().portals.getPortalByMatrixRoom(taken.matrixRoomId), taken);
  });

  it("moves the cursor forward only", async () => {
    const p = portal(uniq());
    await ctx.store().portals.putPortal(p);
    const cursor = async () => (await ctx.store().portals.getPortal(p.mxid, p.gitterRoomId))?.lastGitterMessageId;
    const t = 1_600_000_009; // hex ...09 -> ...0a crosses from a digit to a letter
    await ctx.store().portals.advanceCursor(p.mxid, p.gitterRoomId, objectId(t, 5));
    assert.equal(await cursor(), objectId(t, 5));
    await ctx.store().portals.advanceCursor(p.mxid, p.gitterRoomId, objectId(t, 4));
    assert.equal(await cursor(), objectId(t, 5));
    await ctx.store().portals.advanceCursor(p.mxid, p.gitterRoomId, objectId(t - 100, 99));
    assert.equal(await cursor(), objectId(t, 5));
    await ctx.store().portals.advanceCursor(p.mxid, p.gitterRoomId, objectId(t + 1));
    assert.equal(await cursor(), objectId(t + 1));
    await ctx.store().portals.advanceCursor(p.mxid, p.gitterRoomId, objectId(t + 1));
    assert.equal(await cursor(), objectId(t + 1));
    await ctx.store().portals.advanceCursor(p.mxid, p.gitterRoomId, objectId(0x70000000));
    assert.equal(await cursor(), objectId(0x70000000));
  });

  it("keeps the newest cursor when many advances race", async () => {
    const p = portal(uniq());
    await ctx.store().portals.putPortal(p);
    const other = await ctx.open();
    try {
      const ids = Array.from({ length: 12 }, (_, i) => objectId(1_650_000_000 + ((i * 7) % 12)));
      await Promise.all(ids.map((id, i) => (i % 2 ? other : ctx.store()).portals.advanceCursor(p.mxid, p.gitterRoomId, id)));
      const newest = [...ids].sort().at(-1);
      assert.equal((await ctx.store().portals.getPortal(p.mxid, p.gitterRoomId))?.lastGitterMessageId, newest);
    } finally {
      await other.close();
    }
  });

  it("ignores a cursor for a portal that does not exist", async () => {
    const p = portal(uniq());
    await ctx.store().portals.advanceCursor(p.mxid, p.gitterRoomId, objectId(1_600_000_000));
    assert.equal(await ctx.store().portals.getPortal(p.mxid, p.gitterRoomId), null);
  });

  it("records the bridge info a portal holds, which a later put keeps unless it names another", async () => {
    const u = uniq();
    const p = portal(u);
    await ctx.store().portals.putPortal(p);
    await ctx.store().portals.setBridgeInfoHash(p.mxid, p.gitterRoomId, "a".repeat(64));
    assert.equal((await ctx.store().portals.getPortal(p.mxid, p.gitterRoomId))?.bridgeInfoHash, "a".repeat(64));
    const { bridgeInfoHash: _unsaid, ...withoutHash } = p;
    await ctx.store().portals.putPortal({ ...withoutHash, lastGitterMessageId: objectId(1_600_000_000) });
    assert.equal((await ctx.store().portals.listPortals(p.mxid))[0]?.bridgeInfoHash, "a".repeat(64));
    await ctx.store().portals.putPortal({ ...p, bridgeInfoHash: "b".repeat(64) });
    assert.equal((await ctx.store().portals.getPortalByMatrixRoom(p.matrixRoomId))?.bridgeInfoHash, "b".repeat(64));
    await ctx.store().portals.setBridgeInfoHash(`@nobody-${u}:example.org`, p.gitterRoomId, "c".repeat(64));
    assert.equal(await ctx.store().portals.getPortal(`@nobody-${u}:example.org`, p.gitterRoomId), null);
  });

  it("keeps a closed portal out of sight but findable, and opens it again on the next put", async () => {
    const u = uniq();
    const p = portal(u, "", { oneToOne: true, lastGitterMessageId: objectId(1_600_000_000) });
    const other = portal(u, "b");
    await ctx.store().portals.putPortal(p);
    await ctx.store().portals.putPortal(other);
    assert.equal(await ctx.store().portals.getClosedPortal(p.mxid, p.gitterRoomId), null);
    await ctx.store().portals.closePortal(p.mxid, p.gitterRoomId, 1_700_000_000_000);
    assert.equal(await ctx.store().portals.getPortal(p.mxid, p.gitterRoomId), null);
    assert.equal(await ctx.store().portals.getPortalByMatrixRoom(p.matrixRoomId), null);
    assert.deepEqual(await ctx.store().portals.listPortals(p.mxid), [other]);
    assert.deepEqual(await ctx.store().portals.getClosedPortal(p.mxid, p.gitterRoomId), p);
    await assert.rejects(ctx.store().portals.putPortal(portal(u, "c", { matrixRoomId: p.matrixRoomId })), "a closed portal keeps its Matrix room");
    const reopened = { ...p, lastGitterMessageId: objectId(1_700_000_000) };
    await ctx.store().portals.putPortal(reopened);
    assert.deepEqual(await ctx.store().portals.getPortalByMatrixRoom(p.matrixRoomId), reopened);
    assert.equal(await ctx.store().portals.getClosedPortal(p.mxid, p.gitterRoomId), null);
    await ctx.store().portals.closePortal(p.mxid, p.gitterRoomId, 1_700_000_000_001);
    await ctx.store().portals.deletePortal(p.mxid, p.gitterRoomId);
    assert.equal(await ctx.store().portals.getClosedPortal(p.mxid, p.gitterRoomId), null);
  });

  it("deletes a portal, freeing its Matrix room", async () => {
    const u = uniq();
    const p = portal(u, "a");
    await ctx.store().portals.putPortal(p);
    await ctx.store().portals.deletePortal(p.mxid, p.gitterRoomId);
    assert.equal(await ctx.store().portals.getPortal(p.mxid, p.gitterRoomId), null);
    assert.equal(await ctx.store().portals.getPortalByMatrixRoom(p.matrixRoomId), null);
    await ctx.store().portals.deletePortal(p.mxid, p.gitterRoomId);
    const reuse = portal(u, "b", { matrixRoomId: p.matrixRoomId });
    await ctx.store().portals.putPortal(reuse);
    assert.deepEqual(await ctx.store().portals.getPortalByMatrixRoom(p.matrixRoomId), reuse);
  });
}

function link(u: string, overrides: Partial<MessageLink> = {}): MessageLink {
  return {
    matrixRoomId: `!room-${u}:example.org`,
    matrixEventId: `$event-${u}`,
    gitterRoomId: `groom${u}`,
    gitterMessageId: objectId(1_600_000_000, 1),
    direction: "gitter-to-matrix",
    // Beyond 32 bits, so an engine that truncates times is caught.
    createdAt: 1_700_000_000_456,
    ...overrides,
  };
}

function messagesContract(ctx: ContractContext): void {
  it("records a link and finds it from either side", async () => {
    const u = uniq();
    const l = link(u, { direction: "matrix-to-gitter" });
    assert.equal(await ctx.store().messages.byMatrixEvent(l.matrixEventId), null);
    await ctx.store().messages.recordMessage(l);
    assert.deepEqual(await ctx.store().messages.byMatrixEvent(l.matrixEventId), l);
    assert.deepEqual(await ctx.store().messages.byGitterMessage(l.matrixRoomId, l.gitterMessageId), l);
    assert.equal(await ctx.store().messages.byGitterMessage(`!other-${u}:example.org`, l.gitterMessageId), null);
  });

  it("treats recording the same pair again as a no-op", async () => {
    const l = link(uniq());
    await ctx.store().messages.recordMessage(l);
    await ctx.store().messages.recordMessage({ ...l, createdAt: l.createdAt + 5 });
    assert.deepEqual(await ctx.store().messages.byMatrixEvent(l.matrixEventId), l);
  });

  it("keeps the first link when a later one reuses either side", async () => {
    const u = uniq();
    const first = link(u);
    await ctx.store().messages.recordMessage(first);
    await ctx.store().messages.recordMessage(link(u, { matrixEventId: `$edit-${u}` }));
    await ctx.store().messages.recordMessage(link(u, { gitterMessageId: objectId(1_600_000_001, 9) }));
    assert.deepEqual(await ctx.store().messages.byGitterMessage(first.matrixRoomId, first.gitterMessageId), first);
    assert.deepEqual(await ctx.store().messages.byMatrixEvent(first.matrixEventId), first);
    assert.equal(await ctx.store().messages.byMatrixEvent(`$edit-${u}`), null);
    assert.equal(await ctx.store().messages.byGitterMessage(first.matrixRoomId, objectId(1_600_000_001, 9)), null);
  });

  it("links one Gitter message into each user's own portal", async () => {
    const u = uniq();
    const alice = link(u);
    const bob = link(u, { matrixRoomId: `!bob-${u}:example.org`, matrixEventId: `$bob-${u}` });
    await ctx.store().messages.recordMessage(alice);
    await ctx.store().messages.recordMessage(bob);
    assert.deepEqual(await ctx.store().messages.byGitterMessage(alice.matrixRoomId, alice.gitterMessageId), alice);
    assert.deepEqual(await ctx.store().messages.byGitterMessage(bob.matrixRoomId, bob.gitterMessageId), bob);
  });

  it("keeps a message's file events in order, once, and forgets them with the message", async () => {
    const u = uniq();
    const l = link(u);
    const files = [`$file-b-${u}`, `$file-a-${u}`];
    await ctx.store().messages.recordFiles(l.matrixRoomId, l.gitterMessageId, files);
    await ctx.store().messages.recordFiles(l.matrixRoomId, l.gitterMessageId, files);
    await ctx.store().messages.recordMessage(l);
    assert.deepEqual(await ctx.store().messages.filesOf(l.matrixRoomId, l.gitterMessageId), files);
    assert.deepEqual(await ctx.store().messages.filesOf(`!other-${u}:example.org`, l.gitterMessageId), []);
    await ctx.store().messages.forgetMessage(l.matrixRoomId, l.gitterMessageId);
    assert.deepEqual(await ctx.store().messages.filesOf(l.matrixRoomId, l.gitterMessageId), []);
    assert.equal(await ctx.store().messages.byGitterMessage(l.matrixRoomId, l.gitterMessageId), null);
  });

  it("keeps the first text event added to a message shown by its file, and forgets it alone or with the message", async () => {
    const u = uniq();
    const l = link(u);
    const messages = ctx.store().messages;
    assert.equal(await messages.addedTextOf(l.matrixRoomId, l.gitterMessageId), null);
    await messages.recordAddedText(l.matrixRoomId, l.gitterMessageId, `$text-${u}`);
    await messages.recordAddedText(l.matrixRoomId, l.gitterMessageId, `$again-${u}`);
    assert.equal(await messages.addedTextOf(l.matrixRoomId, l.gitterMessageId), `$text-${u}`);
    assert.equal(await messages.addedTextOf(`!other-${u}:example.org`, l.gitterMessageId), null);
    await messages.forgetAddedText(l.matrixRoomId, l.gitterMessageId);
    assert.equal(await messages.addedTextOf(l.matrixRoomId, l.gitterMessageId), null);
    await messages.recordAddedText(l.matrixRoomId, l.gitterMessageId, `$later-${u}`);
    await messages.recordMessage(l);
    await messages.forgetMessage(l.matrixRoomId, l.gitterMessageId);
    assert.equal(await messages.addedTextOf(l.matrixRoomId, l.gitterMessageId), null);
  });
}

function threadsContract(ctx: ContractContext): void {
  it("keeps a reply's thread and finds the thread's newest reply by Gitter id", async () => {
    const u = uniq();
    const root = link(u, { gitterMessageId: objectId(1_600_000_000, 1) });
    const reply = (n: number, room = root.matrixRoomId): MessageLink =>
      link(`${u}-${n}-${room.length}`, {
        matrixRoomId: room,
        gitterMessageId: objectId(1_600_000_000 + n, 2),
        gitterThreadId: root.gitterMessageId,
      });
    await ctx.store().messages.recordMessage(root);
    assert.equal(await ctx.store().messages.latestInThread(root.matrixRoomId, root.gitterMessageId), null);
    for (const n of [2, 9, 4]) await ctx.store().messages.recordMessage(reply(n));
    await ctx.store().messages.recordMessage(reply(20, `!elsewhere-${u}:example.org`));
    assert.deepEqual(await ctx.store().messages.latestInThread(root.matrixRoomId, root.gitterMessageId), reply(9));
    assert.deepEqual(await ctx.store().messages.byMatrixEvent(reply(4).matrixEventId), reply(4));
    assert.deepEqual(await ctx.store().messages.byMatrixEvent(root.matrixEventId), root, "a top-level link has no thread");
  });

  it("forgets a deleted message in one portal only", async () => {
    const u = uniq();
    const alice = link(u);
    const bob = link(u, { matrixRoomId: `!bob-${u}:example.org`, matrixEventId: `$bob-${u}` });
    await ctx.store().messages.recordMessage(alice);
    await ctx.store().messages.recordMessage(bob);
    await ctx.store().messages.forgetMessage(alice.matrixRoomId, alice.gitterMessageId);
    await ctx.store().messages.forgetMessage(alice.matrixRoomId, alice.gitterMessageId);
    assert.equal(await ctx.store().messages.byMatrixEvent(alice.matrixEventId), null);
    assert.equal(await ctx.store().messages.byGitterMessage(alice.matrixRoomId, alice.gitterMessageId), null);
    assert.deepEqual(await ctx.store().messages.byMatrixEvent(bob.matrixEventId), bob);
  });
}

function mediaContract(ctx: ContractContext): void {
  const share = (u: string, over: Partial<SharedMedia> = {}): SharedMedia => ({
    serverName: "example.org",
    mediaId: `m${u}`,
    filename: "cat picture.png",
    mimetype: "image/png",
    matrixRoomId: `!media-${u}:example.org`,
    matrixEventId: `$msg-${u}`,
    messageEventId: `$msg-${u}`,
    mxid: `@owner-${u}:example.org`,
    sharedAt: 1_700_000_000_789,
    ...over,
  });

  it("records a share once per event and finds the oldest share by server and media id", async () => {
    const u = uniq();
    const media = share(u);
    assert.equal(await ctx.store().media.getMedia(media.serverName, media.mediaId), null);
    await ctx.store().media.recordMedia(media);
    await ctx.store().media.recordMedia({ ...media, filename: "renamed", sharedAt: 5 });
    assert.deepEqual(await ctx.store().media.getMedia(media.serverName, media.mediaId), media);
    await ctx.store().media.recordMedia({ ...media, matrixEventId: `$later-${u}`, messageEventId: `$later-${u}`, sharedAt: media.sharedAt + 1 });
    assert.deepEqual(await ctx.store().media.getMedia(media.serverName, media.mediaId), media);
    assert.equal(await ctx.store().media.getMedia("other.org", media.mediaId), null);
    const bare = { ...media, mediaId: `n${u}`, mimetype: null };
    await ctx.store().media.recordMedia(bare);
    assert.deepEqual(await ctx.store().media.getMedia(bare.serverName, bare.mediaId), bare);
  });

  it("withdraws the shares of a redacted message and of its edits, in its room only, and keeps other shares", async () => {
    const u = uniq();
    const message = share(u);
    const edit = share(u, { mediaId: `e${u}`, matrixEventId: `$edit-${u}` });
    const again = share(u, { matrixRoomId: `!other-${u}:example.org`, matrixEventId: `$again-${u}`, messageEventId: `$again-${u}`, sharedAt: 2 });
    for (const m of [message, edit, again]) await ctx.store().media.recordMedia(m);
    assert.equal(await ctx.store().media.unshareEvent(`!other-${u}:example.org`, message.matrixEventId), 0);
    assert.equal(await ctx.store().media.unshareEvent(message.matrixRoomId, message.matrixEventId), 2);
    assert.equal(await ctx.store().media.getMedia(edit.serverName, edit.mediaId), null);
    // The same file shared by another message is still served, until that one goes too.
    assert.deepEqual(await ctx.store().media.getMedia(again.serverName, again.mediaId), again);
    assert.equal(await ctx.store().media.unshareEvent(again.matrixRoomId, again.matrixEventId), 1);
    assert.equal(await ctx.store().media.getMedia(again.serverName, again.mediaId), null);
    // Redacting only the edit withdraws what the edit shared.
    const edited = share(u, { mediaId: `x${u}`, matrixEventId: `$edit2-${u}` });
    await ctx.store().media.recordMedia(edited);
    assert.equal(await ctx.store().media.unshareEvent(edited.matrixRoomId, edited.matrixEventId), 1);
    assert.equal(await ctx.store().media.unshareEvent(edited.matrixRoomId, ""), 0);
  });

  it("withdraws every share of a user and nobody else's", async () => {
    const u = uniq();
    const mine = [share(u), share(u, { mediaId: `b${u}`, matrixEventId: `$b-${u}`, messageEventId: `$b-${u}` })];
    const theirs = share(u, { mediaId: `t${u}`, mxid: `@other-${u}:example.org` });
    for (const m of [...mine, theirs]) await ctx.store().media.recordMedia(m);
    assert.equal(await ctx.store().media.unshareUser(mine[0]!.mxid), 2);
    for (const m of mine) assert.equal(await ctx.store().media.getMedia(m.serverName, m.mediaId), null);
    assert.deepEqual(await ctx.store().media.getMedia(theirs.serverName, theirs.mediaId), theirs);
  });
}
