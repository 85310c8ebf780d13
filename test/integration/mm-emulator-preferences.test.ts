// The Mattermost emulator's preferences over real HTTP and its websocket: only one's own, validated as the server
// does, and announced to the user's sockets (preferences_changed / preferences_deleted).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ALICE, BOB, read, startMm, type MmApi } from "./mm-emulator-helpers";

let api: MmApi;
before(async () => {
  api = await startMm();
  await api.control("PUT", "/rate-limit", { enabled: false });
});
after(async () => {
  await api.emu.stop();
});

interface Frame { event?: string; data?: Record<string, unknown> }

/** The events Alice's websocket hears while `act` runs and a moment after. */
async function heardBy(token: string, act: () => Promise<void>): Promise<Frame[]> {
  const ws = new WebSocket(`${api.emu.url.replace(/^http/, "ws")}/api/v4/websocket?access_token=${token}`);
  const got: Frame[] = [];
  ws.onmessage = (e) => void got.push(JSON.parse(String(e.data)) as Frame);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error("websocket error"));
  });
  await act();
  await new Promise((r) => setTimeout(r, 200));
  ws.close();
  return got.filter((f) => f.event && f.event !== "hello");
}

const base = "/api/v4/users/me/preferences";

describe("Mattermost emulator: preferences", () => {
  it("saves, replaces and lists one's own, and tells one's sockets", async () => {
    const alice = api.userId("alice");
    const bob = api.userId("bob");
    const pref = { user_id: alice, category: "direct_channel_show", name: bob, value: "false" };
    const events = await heardBy(ALICE, async () => {
      assert.deepEqual(await api.json("PUT", base, ALICE, [pref]), { status: "OK" });
    });
    assert.deepEqual(events.map((e) => e.event), ["sidebar_category_updated", "preferences_changed"]);
    assert.deepEqual(JSON.parse(String(events[1].data?.preferences)), [pref]);
    await api.json("PUT", `/api/v4/users/${alice}/preferences`, ALICE, [{ ...pref, value: "true" }]);
    const mine = await api.json("GET", base, ALICE);
    assert.deepEqual(mine.filter((p: { category: string }) => p.category === "direct_channel_show"), [{ ...pref, value: "true" }]);
    assert.deepEqual(await api.json("GET", `${base}/direct_channel_show`, ALICE), [{ ...pref, value: "true" }]);
    assert.equal((await read(await api.call("GET", `${base}/group_channel_show`, ALICE))).id, "api.preference.preferences_category.get.app_error");
  });

  it("deletes, and tells preferences_deleted", async () => {
    const pref = { user_id: api.userId("alice"), category: "group_channel_show", name: api.userId("carol"), value: "false" };
    await api.json("PUT", base, ALICE, [pref]);
    const events = await heardBy(ALICE, async () => void (await api.json("POST", `${base}/delete`, ALICE, [pref])));
    assert.deepEqual(events.map((e) => e.event), ["sidebar_category_updated", "preferences_deleted"]);
    const left = await api.json("GET", base, ALICE);
    assert.equal(left.some((p: { category: string }) => p.category === "group_channel_show"), false);
  });

  it("refuses another's preferences, an empty or oversized list, and invalid fields, saving nothing", async () => {
    const alice = api.userId("alice");
    const ok = { user_id: alice, category: "x", name: "y", value: "z" };
    const other = await api.call("PUT", `/api/v4/users/${api.userId("bob")}/preferences`, ALICE, [ok]);
    assert.equal(other.status, 403);
    assert.equal((await api.call("GET", `/api/v4/users/${alice}/preferences`, BOB)).status, 403);
    const notMine = await api.call("PUT", base, ALICE, [{ ...ok, user_id: api.userId("bob") }]);
    assert.equal((await read(notMine)).id, "api.preference.update_preferences.set.app_error");
    for (const body of [[], Array(101).fill(ok), { ...ok }]) {
      const res = await api.call("PUT", base, ALICE, body);
      assert.equal(res.status, 400);
      assert.equal((await read(res)).id, "api.context.invalid_param.app_error");
    }
    for (const [bad, id] of [[{ category: "" }, "category"], [{ category: "c".repeat(33) }, "category"], [{ name: "n".repeat(33) }, "name"], [{ value: "v".repeat(2001) }, "value"]] as const) {
      const res = await api.call("PUT", base, ALICE, [{ ...ok, name: "first" }, { ...ok, ...bad }]);
      assert.equal(res.status, 400);
      assert.equal((await read(res)).id, `model.preference.is_valid.${id}.app_error`);
    }
    const mine = await api.json("GET", base, ALICE);
    assert.equal(mine.some((p: { name: string }) => p.name === "first"), false);
  });
});
