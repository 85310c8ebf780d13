// Contract sections for users, OAuth states, pending logins, ghosts and refused rooms.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { uniq, type ContractContext } from "./store-contract-util";

export function identityContract(ctx: ContractContext): void {
  describe("users", () => usersContract(ctx));
  describe("oauth states", () => statesContract(ctx));
  describe("pending logins", () => pendingLoginsContract(ctx));
  describe("ghosts and refused rooms", () => ghostsAndRefusalsContract(ctx));
}

function login(u: string, token = `v1:token-${u}`) {
  return { gitterUserId: `gid${u}`, gitterUsername: `name${u}`, tokenCiphertext: token };
}

function usersContract(ctx: ContractContext): void {
  it("creates a user on login and returns exactly what was stored", async () => {
    const u = uniq();
    const mxid = `@alice-${u}:example.org`;
    assert.equal(await ctx.store().users.getUser(mxid), null);
    await ctx.store().users.setLogin(mxid, login(u));
    assert.deepEqual(await ctx.store().users.getUser(mxid), {
      mxid,
      gitterUserId: `gid${u}`,
      gitterUsername: `name${u}`,
      tokenCiphertext: `v1:token-${u}`,
      controlRoomId: null,
    });
  });

  it("replaces an earlier login but keeps the control room", async () => {
    const u = uniq();
    const mxid = `@bob-${u}:example.org`;
    await ctx.store().users.setControlRoom(mxid, `!ctl-${u}:example.org`);
    await ctx.store().users.setLogin(mxid, login(u, "v1:first"));
    await ctx.store().users.setLogin(mxid, { gitterUserId: "other", gitterUsername: "other", tokenCiphertext: "v1:second" });
    const user = await ctx.store().users.getUser(mxid);
    assert.equal(user?.tokenCiphertext, "v1:second");
    assert.equal(user?.gitterUserId, "other");
    assert.equal(user?.controlRoomId, `!ctl-${u}:example.org`);
  });

  it("forgets the login on clearLogin, keeping the user and control room, and lists only logged-in users", async () => {
    const u = uniq();
    const [a, b, c] = ["a", "b", "c"].map((p) => `@${p}-${u}:example.org`) as [string, string, string];
    await ctx.store().users.setLogin(a, login(`${u}a`));
    await ctx.store().users.setLogin(b, login(`${u}b`));
    await ctx.store().users.setControlRoom(b, `!ctl-${u}:example.org`);
    await ctx.store().users.setControlRoom(c, `!ctl-c-${u}:example.org`);
    await ctx.store().users.clearLogin(b);
    const mine = (await ctx.store().users.listLoggedInUsers()).filter((x) => x.mxid.endsWith(`-${u}:example.org`));
    assert.deepEqual(mine.map((x) => x.mxid), [a]);
    assert.deepEqual(await ctx.store().users.getUser(b), {
      mxid: b,
      gitterUserId: null,
      gitterUsername: null,
      tokenCiphertext: null,
      controlRoomId: `!ctl-${u}:example.org`,
    });
  });

  it("keeps an expiring login's refresh token and expiry, renews it only while it is still the login, and clears them with it", async () => {
    const u = uniq();
    const mxid = `@renew-${u}:example.org`;
    const renewal = { refreshTokenCiphertext: `v1:refresh-${u}`, tokenExpiresAt: 1_700_000_600_000 };
    await ctx.store().users.setLogin(mxid, { ...login(u), ...renewal });
    assert.deepEqual(await ctx.store().users.getUser(mxid), { mxid, ...login(u), controlRoomId: null, ...renewal });
    const next = { tokenCiphertext: `v1:second-${u}`, refreshTokenCiphertext: `v1:refresh2-${u}`, tokenExpiresAt: 1_700_001_000_000 };
    assert.equal(await ctx.store().users.renewLogin(mxid, `v1:token-${u}`, next), true);
    assert.equal(await ctx.store().users.renewLogin(mxid, `v1:token-${u}`, { tokenCiphertext: "v1:stale" }), false, "the login changed meanwhile");
    assert.deepEqual(await ctx.store().users.getUser(mxid), { mxid, ...login(u), ...next, controlRoomId: null });
    assert.equal(await ctx.store().users.renewLogin(mxid, next.tokenCiphertext, { tokenCiphertext: next.tokenCiphertext }), true);
    assert.deepEqual(await ctx.store().users.getUser(mxid), { mxid, ...login(u, next.tokenCiphertext), controlRoomId: null });
    await ctx.store().users.setLogin(mxid, { ...login(u), ...renewal });
    await ctx.store().users.setLogin(mxid, login(u, "v1:pat"));
    assert.deepEqual(await ctx.store().users.getUser(mxid), { mxid, ...login(u, "v1:pat"), controlRoomId: null }, "a new login replaces the renewal");
    await ctx.store().users.setLogin(mxid, { ...login(u), ...renewal });
    await ctx.store().users.clearLogin(mxid);
    assert.deepEqual(await ctx.store().users.getUser(mxid), { mxid, gitterUserId: null, gitterUsername: null, tokenCiphertext: null, controlRoomId: null });
    assert.equal(await ctx.store().users.renewLogin(`@nobody-${u}:example.org`, "v1:x", { tokenCiphertext: "v1:y" }), false);
  });

  it("does not create a user when clearing an unknown login", async () => {
    const mxid = `@ghost-${uniq()}:example.org`;
    await ctx.store().users.clearLogin(mxid);
    assert.equal(await ctx.store().users.getUser(mxid), null);
  });

  it("sets the control room, returning the previous one, and finds the user by it", async () => {
    const u = uniq();
    const mxid = `@carol-${u}:example.org`;
    const [r1, r2] = [`!one-${u}:example.org`, `!two-${u}:example.org`];
    assert.equal(await ctx.store().users.setControlRoom(mxid, r1), null);
    assert.equal((await ctx.store().users.getUser(mxid))?.tokenCiphertext, null);
    assert.equal(await ctx.store().users.setControlRoom(mxid, r2), r1);
    assert.equal(await ctx.store().users.getUserByControlRoom(r1), null);
    assert.equal((await ctx.store().users.getUserByControlRoom(r2))?.mxid, mxid);
    assert.equal(await ctx.store().users.setControlRoom(mxid, null), r2);
    assert.equal(await ctx.store().users.getUserByControlRoom(r2), null);
    assert.equal((await ctx.store().users.getUser(mxid))?.controlRoomId, null);
  });

  it("refuses to give one control room to two users", async () => {
    const u = uniq();
    const room = `!shared-${u}:example.org`;
    await ctx.store().users.setControlRoom(`@d-${u}:example.org`, room);
    await assert.rejects(ctx.store().users.setControlRoom(`@e-${u}:example.org`, room));
    assert.equal((await ctx.store().users.getUserByControlRoom(room))?.mxid, `@d-${u}:example.org`);
  });

  it("returns each previous control room exactly once when two processes set it at once", async () => {
    const u = uniq();
    const mxid = `@race-${u}:example.org`;
    const other = await ctx.open();
    try {
      await ctx.store().users.setControlRoom(mxid, `!start-${u}:x`);
      const stores = [ctx.store(), other, ctx.store(), other, ctx.store(), other];
      const previous = await Promise.all(stores.map((s, i) => s.users.setControlRoom(mxid, `!r${i}-${u}:x`)));
      const final = (await ctx.store().users.getUser(mxid))?.controlRoomId;
      // The writes form one chain: every value but the last is someone's "previous", exactly once.
      const written = [`!start-${u}:x`, ...stores.map((_, i) => `!r${i}-${u}:x`)];
      assert.deepEqual([...previous, final].sort(), written.sort());
    } finally {
      await other.close();
    }
  });
}

function statesContract(ctx: ContractContext): void {
  const now = 1_700_000_000_000;

  it("accepts a state once, for its user, and then reports it used", async () => {
    const state = `s-${uniq()}`;
    await ctx.store().oauthStates.createState(state, "@alice:example.org", now + 600_000);
    assert.deepEqual(await ctx.store().oauthStates.consumeState(state, now), { ok: true, mxid: "@alice:example.org" });
    assert.deepEqual(await ctx.store().oauthStates.consumeState(state, now + 1), { ok: false, reason: "used" });
  });

  it("peeks at a state without using it up, and sees it used once consumed", async () => {
    const state = `peek-${uniq()}`;
    const states = ctx.store().oauthStates;
    await states.createState(state, "@alice:example.org", now + 600_000);
    assert.deepEqual(await states.peekState(state, now), { ok: true, mxid: "@alice:example.org" });
    assert.deepEqual(await states.peekState(state, now + 600_000), { ok: false, reason: "expired" });
    assert.deepEqual(await states.consumeState(state, now), { ok: true, mxid: "@alice:example.org" });
    assert.deepEqual(await states.peekState(state, now), { ok: false, reason: "used" });
    assert.deepEqual(await states.peekState(`nope-${uniq()}\u0000`, now), { ok: false, reason: "unknown" });
  });

  it("reports unknown states", async () => {
    assert.deepEqual(await ctx.store().oauthStates.consumeState(`nope-${uniq()}`, now), { ok: false, reason: "unknown" });
  });

  it("refuses a state at or after its expiry", async () => {
    const [a, b] = [`exp-a-${uniq()}`, `exp-b-${uniq()}`];
    await ctx.store().oauthStates.createState(a, "@a:example.org", now);
    await ctx.store().oauthStates.createState(b, "@b:example.org", now + 10);
    assert.deepEqual(await ctx.store().oauthStates.consumeState(a, now), { ok: false, reason: "expired" });
    assert.deepEqual(await ctx.store().oauthStates.consumeState(b, now + 11), { ok: false, reason: "expired" });
    assert.deepEqual(await ctx.store().oauthStates.consumeState(b, now + 12), { ok: false, reason: "expired" });
  });

  it("never reuses a state string", async () => {
    const state = `dup-${uniq()}`;
    await ctx.store().oauthStates.createState(state, "@a:example.org", now + 1000);
    await assert.rejects(ctx.store().oauthStates.createState(state, "@mallory:example.org", now + 1000));
    assert.deepEqual(await ctx.store().oauthStates.consumeState(state, now), { ok: true, mxid: "@a:example.org" });
  });

  it("lets exactly one of many concurrent consumers, across two handles, win", async () => {
    const state = `race-${uniq()}`;
    await ctx.store().oauthStates.createState(state, "@race:example.org", now + 600_000);
    const other = await ctx.open();
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? other : ctx.store()).oauthStates.consumeState(state, now)),
      );
      assert.equal(results.filter((r) => r.ok).length, 1);
      assert.equal(results.filter((r) => !r.ok && r.reason === "used").length, 9);
    } finally {
      await other.close();
    }
  });

  it("prunes only states that expired before now, and counts them", async () => {
    // Times far before every other test's states, so only this test's rows are in range.
    const u = uniq();
    await ctx.store().oauthStates.createState(`old1-${u}`, "@p:example.org", 500);
    await ctx.store().oauthStates.createState(`old2-${u}`, "@p:example.org", 999);
    await ctx.store().oauthStates.createState(`edge-${u}`, "@p:example.org", 1000);
    await ctx.store().oauthStates.createState(`live-${u}`, "@p:example.org", 5000);
    assert.equal(await ctx.store().oauthStates.pruneStates(1000), 2);
    assert.deepEqual(await ctx.store().oauthStates.consumeState(`old1-${u}`, 1000), { ok: false, reason: "unknown" });
    assert.deepEqual(await ctx.store().oauthStates.consumeState(`edge-${u}`, 1000), { ok: false, reason: "expired" });
    assert.deepEqual(await ctx.store().oauthStates.consumeState(`live-${u}`, 1000), { ok: true, mxid: "@p:example.org" });
    assert.equal(await ctx.store().oauthStates.pruneStates(1000), 0);
  });

  it("discards every state of one account, used or not, and no other's", async () => {
    const u = uniq();
    const [mine, other] = [`@q-${u}:example.org`, `@q2-${u}:example.org`];
    await ctx.store().oauthStates.createState(`a-${u}`, mine, 5000);
    await ctx.store().oauthStates.createState(`b-${u}`, mine, 5000);
    await ctx.store().oauthStates.createState(`c-${u}`, other, 5000);
    await ctx.store().oauthStates.consumeState(`b-${u}`, 1000);
    assert.equal(await ctx.store().oauthStates.discardStates(mine), 2);
    assert.deepEqual(await ctx.store().oauthStates.peekState(`a-${u}`, 1000), { ok: false, reason: "unknown" });
    assert.deepEqual(await ctx.store().oauthStates.peekState(`c-${u}`, 1000), { ok: true, mxid: other });
    assert.equal(await ctx.store().oauthStates.discardStates(mine), 0);
  });
}

function ghostsAndRefusalsContract(ctx: ContractContext): void {
  it("stores a ghost and replaces every field on a later put", async () => {
    const id = `g${uniq()}`;
    assert.equal(await ctx.store().ghosts.getGhost(id), null);
    const ghost = { gitterUserId: id, username: "bob", displayName: "Bob", avatarUrl: "https://a/b.png", avatarMxc: null };
    await ctx.store().ghosts.putGhost(ghost);
    assert.deepEqual(await ctx.store().ghosts.getGhost(id), ghost);
    const renamed = { ...ghost, username: "bobby", displayName: "Bobby B", avatarUrl: null, avatarMxc: "mxc://h/m" };
    await ctx.store().ghosts.putGhost(renamed);
    assert.deepEqual(await ctx.store().ghosts.getGhost(id), renamed);
  });

  it("keeps the usernames behind shortened ghost ids exactly, U+0000 and lone surrogates included", async () => {
    const names = [`long-${uniq()}`, `nul-${uniq()}\u0000x`, `lone-${uniq()}\ud800x`, `日本-${uniq()}`];
    const localparts = names.map((_, i) => `gitter_l${i}${uniq()}==0`);
    for (const [i, name] of names.entries()) await ctx.store().ghosts.putGhostId(localparts[i]!, name);
    await ctx.store().ghosts.putGhostId(localparts[0]!, names[0]!);
    const stored = await ctx.store().ghosts.ghostIdUsernames();
    for (const name of names) assert.equal(stored.filter((s) => s === name).length, 1, JSON.stringify(name));
  });

  it("remembers refused rooms, and refusing again is harmless", async () => {
    const room = `!refused-${uniq()}:example.org`;
    assert.equal(await ctx.store().refusals.isRefused(room), false);
    await ctx.store().refusals.refuseRoom(room, "invited by a stranger");
    await ctx.store().refusals.refuseRoom(room, "still a stranger");
    assert.equal(await ctx.store().refusals.isRefused(room), true);
    assert.equal(await ctx.store().refusals.isRefused(`${room}x`), false);
  });
}

function pendingLoginsContract(ctx: ContractContext): void {
  const now = 1_700_000_000_000;
  const pending = (mxid: string, codeHash = "right", extra: { triesLeft?: number; expiresAt?: number } = {}) => ({
    mxid,
    codeHash,
    gitterUserId: "5f0000000000000000000001",
    gitterUsername: "alice",
    tokenCiphertext: `v1:sealed-${mxid}`,
    triesLeft: extra.triesLeft ?? 3,
    expiresAt: extra.expiresAt ?? now + 600_000,
  });

  it("gives the login back once for the right hash, to its own account only", async () => {
    const mxid = `@p-${uniq()}:example.org`;
    await ctx.store().pendingLogins.putPendingLogin(pending(mxid));
    assert.deepEqual(await ctx.store().pendingLogins.redeemPendingLogin(`@other-${uniq()}:example.org`, "right", now), { ok: false, reason: "none" });
    assert.equal(await ctx.store().pendingLogins.hasPendingLogin(mxid, now), true);
    assert.deepEqual(await ctx.store().pendingLogins.redeemPendingLogin(mxid, "right", now), { ok: true, login: pending(mxid) });
    assert.deepEqual(await ctx.store().pendingLogins.redeemPendingLogin(mxid, "right", now), { ok: false, reason: "none" });
    assert.equal(await ctx.store().pendingLogins.hasPendingLogin(mxid, now), false);
  });

  it("carries an expiring token's refresh token and expiry to the login", async () => {
    const mxid = `@pr-${uniq()}:example.org`;
    const login = { ...pending(mxid), refreshTokenCiphertext: `v1:refresh-${mxid}`, tokenExpiresAt: now + 3_600_000 };
    await ctx.store().pendingLogins.putPendingLogin(login);
    assert.deepEqual(await ctx.store().pendingLogins.redeemPendingLogin(mxid, "right", now), { ok: true, login });
  });

  it("spends a try per wrong hash and removes the login at the last", async () => {
    const mxid = `@t-${uniq()}:example.org`;
    await ctx.store().pendingLogins.putPendingLogin(pending(mxid, "right", { triesLeft: 2 }));
    assert.deepEqual(await ctx.store().pendingLogins.redeemPendingLogin(mxid, "wrong", now), { ok: false, reason: "wrong", triesLeft: 1 });
    assert.deepEqual(await ctx.store().pendingLogins.redeemPendingLogin(mxid, "w\u0000", now), { ok: false, reason: "wrong", triesLeft: 0 });
    assert.deepEqual(await ctx.store().pendingLogins.redeemPendingLogin(mxid, "right", now), { ok: false, reason: "none" });
  });

  it("replaces an older pending login of the same account, tries and all", async () => {
    const mxid = `@r-${uniq()}:example.org`;
    await ctx.store().pendingLogins.putPendingLogin(pending(mxid, "old", { triesLeft: 1 }));
    await ctx.store().pendingLogins.putPendingLogin(pending(mxid, "new"));
    assert.deepEqual(await ctx.store().pendingLogins.redeemPendingLogin(mxid, "old", now), { ok: false, reason: "wrong", triesLeft: 2 });
    assert.equal((await ctx.store().pendingLogins.redeemPendingLogin(mxid, "new", now)).ok, true);
  });

  it("discards the pending login of one account, and says whether there was one", async () => {
    const [mine, other] = ["m", "o"].map((p) => `@${p}-${uniq()}:example.org`) as [string, string];
    await ctx.store().pendingLogins.putPendingLogin(pending(mine, "right"));
    await ctx.store().pendingLogins.putPendingLogin(pending(other, "right"));
    assert.equal(await ctx.store().pendingLogins.discardPendingLogin(mine), true);
    assert.equal(await ctx.store().pendingLogins.discardPendingLogin(mine), false);
    assert.deepEqual(await ctx.store().pendingLogins.redeemPendingLogin(mine, "right", now), { ok: false, reason: "none" });
    assert.equal((await ctx.store().pendingLogins.redeemPendingLogin(other, "right", now)).ok, true);
  });

  it("treats an expired login as none, and prunes expired ones with their tokens", async () => {
    const [a, b, c] = ["a", "b", "c"].map((p) => `@${p}-${uniq()}:example.org`) as [string, string, string];
    // Times far before every other test's rows, so only this test's rows are in range.
    await ctx.store().pendingLogins.putPendingLogin(pending(a, "right", { expiresAt: 500 }));
    await ctx.store().pendingLogins.putPendingLogin(pending(b, "right", { expiresAt: 1000 }));
    await ctx.store().pendingLogins.putPendingLogin(pending(c, "right", { expiresAt: 5000 }));
    assert.deepEqual(await ctx.store().pendingLogins.redeemPendingLogin(a, "right", 500), { ok: false, reason: "none" });
    assert.equal(await ctx.store().pendingLogins.prunePendingLogins(1000), 1);
    assert.equal(await ctx.store().pendingLogins.hasPendingLogin(b, 0), false);
    assert.equal(await ctx.store().pendingLogins.hasPendingLogin(c, 1000), true);
    assert.equal((await ctx.store().pendingLogins.redeemPendingLogin(c, "right", 1000)).ok, true);
  });

  it("lets exactly one of many concurrent redeemers, across two handles, win", async () => {
    const mxid = `@race-${uniq()}:example.org`;
    await ctx.store().pendingLogins.putPendingLogin(pending(mxid));
    const other = await ctx.open();
    try {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? other : ctx.store()).pendingLogins.redeemPendingLogin(mxid, "right", now)),
      );
      assert.equal(results.filter((r) => r.ok).length, 1);
      assert.equal(results.filter((r) => !r.ok && r.reason === "none").length, 9);
    } finally {
      await other.close();
    }
  });
}
