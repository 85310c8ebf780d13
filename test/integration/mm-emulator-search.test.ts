// The Mattermost emulator's search and lookup routes, typing over REST, and the fault that loses an answer after
// the request was handled, or answers an error in place of its result.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ALICE, BOB, read, startMm, type MmApi } from "./mm-emulator-helpers";

let api: MmApi;
before(async () => {
  api = await startMm({ rateLimit: false });
});
after(async () => {
  await api.emu.stop();
});

describe("Mattermost emulator: search and lookups", () => {
  it("searches users and a team's public channels", async () => {
    const found = await api.json<{ username: string }[]>("POST", "/api/v4/users/search", ALICE, { term: "ca" });
    assert.deepEqual(found.map((u) => u.username), ["carol"]);
    assert.deepEqual((await api.json<{ username: string }[]>("POST", "/api/v4/users/search", ALICE, { term: "Alice" })).map((u) => u.username), ["alice"]);
    const noTerm = await api.call("POST", "/api/v4/users/search", ALICE, {});
    assert.equal(noTerm.status, 400);
    assert.equal((await read(noTerm)).id, "api.context.invalid_param.app_error");
    const teams = await api.json<{ id: string; name: string }[]>("GET", "/api/v4/users/me/teams", BOB);
    const acme = teams.find((t) => t.name === "acme")!;
    const channels = await api.json<{ name: string }[]>("POST", `/api/v4/teams/${acme.id}/channels/search`, BOB, { term: "se" });
    assert.deepEqual(channels.map((c) => c.name), [], "a private channel is not found by search");
    const dev = await api.json<{ name: string }[]>("POST", `/api/v4/teams/${acme.id}/channels/search`, BOB, { term: "dev" });
    assert.deepEqual(dev.map((c) => c.name), ["dev"]);
    assert.equal((await api.json<{ id: string }>("GET", "/api/v4/teams/name/acme", BOB)).id, acme.id);
    assert.equal((await api.call("GET", "/api/v4/teams/name/beta", BOB)).status, 403);
    assert.equal((await api.call("GET", "/api/v4/teams/name/nope", BOB)).status, 404);
  });

  it("sends typing over REST to the others, only in a channel one is in", async () => {
    const ws = new WebSocket(`${api.emu.url.replace(/^http/, "ws")}/api/v4/websocket`, { headers: { Authorization: `Bearer ${BOB}` } } as never);
    const got: { event?: string; data?: Record<string, unknown> }[] = [];
    ws.onmessage = (e) => got.push(JSON.parse(String(e.data)));
    await new Promise((resolve) => (ws.onopen = resolve));
    const dev = api.channelId("acme/dev");
    assert.equal((await api.call("POST", "/api/v4/users/me/typing", ALICE, { channel_id: dev })).status, 200);
    assert.equal((await api.call("POST", "/api/v4/users/me/typing", ALICE, { channel_id: api.channelId("acme/lobby") })).status, 403);
    for (let i = 0; i < 40 && !got.some((m) => m.event === "typing"); i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(got.find((m) => m.event === "typing")?.data?.user_id, api.userId("alice"));
    ws.close();
  });
});

describe("Mattermost emulator: a lost answer", () => {
  it("handles a request and then cuts the connection", async () => {
    const dev = api.channelId("acme/dev");
    await api.control("POST", "/faults", { status: 500, count: 1, method: "POST", path: "^/posts$", drop: true });
    await assert.rejects(api.call("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "lost answer" }));
    assert.equal([...api.emu.state.posts.values()].filter((p) => p.message === "lost answer").length, 1);
    assert.equal((await api.call("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "next" })).status, 201);
  });

  it("handles a request and then answers the asked status instead of its result", async () => {
    const dev = api.channelId("acme/dev");
    await api.control("POST", "/faults", { status: 502, count: 1, method: "POST", path: "^/posts$", after: true });
    const res = await api.call("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "failed answer" });
    assert.equal(res.status, 502);
    assert.equal(((await res.json()) as { id: string }).id, "emulator.injected_fault");
    assert.equal([...api.emu.state.posts.values()].filter((p) => p.message === "failed answer").length, 1);
    assert.equal((await api.call("POST", "/api/v4/posts", ALICE, { channel_id: dev, message: "next" })).status, 201);
  });
});
