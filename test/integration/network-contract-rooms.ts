// The network interface's contract for what a portal needs to open (./network-contract.ts runs these with its
// own): a room's members, capped where a portal takes only some; its latest messages, for who spoke lately; and
// the room's pages on the network's web site, for the bridge info a portal shows.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import type { NetworkClient } from "../../src/network/connector";
import { isNetworkError } from "../../src/network/errors";
import type { NetworkRoom } from "../../src/network/types";
import type { ContractHarness } from "./network-contract";

const T = { timeout: 30_000 };

/** Adds the cases to the running contract suite; `get` gives its connected client and the shared room. */
export function roomContractCases(get: () => { client: NetworkClient; shared: NetworkRoom }, h: ContractHarness): void {
  it("lists a room's members once each, and only the first ones when capped", T, async () => {
    const { client, shared } = get();
    const all = await client.members(shared.id);
    const names = all.map((u) => u.username);
    assert.ok(names.includes("alice") && names.includes("bob"), `alice and bob among ${JSON.stringify(names)}`);
    assert.equal(new Set(all.map((u) => u.id)).size, all.length, "each member once");
    const one = await client.members(shared.id, 1);
    assert.equal(one.length, 1);
    assert.ok(all.some((u) => u.id === one[0].id));
  });

  it("gives a room's latest messages, oldest first", T, async () => {
    const { client, shared } = get();
    const sent = [];
    for (let i = 1; i <= 3; i++) sent.push(await h.bob.post(shared.id, `latest ${i} ${randomUUID().slice(0, 8)}`));
    const latest = await client.latestMessages(shared.id, 2);
    assert.deepEqual(latest.map((m) => m.id), sent.slice(1), "the newest two, the newest last");
    assert.ok(latest.every((m) => m.roomId === shared.id && m.senderId !== client.self.id));
    assert.equal((await client.latestMessages(shared.id, 50)).at(-1)?.id, sent[2]);
  });

  it("gives a group room its web page and its space", T, async () => {
    const { shared } = get();
    assert.match(shared.webUrl ?? "", /^https?:\/\/\S+\/\S+$/, "the room's page");
    assert.ok(shared.space?.id && shared.space.name, `the room's space: ${JSON.stringify(shared.space)}`);
    assert.match(shared.space.webUrl ?? "", /^https?:\/\//, "the space's page");
    assert.ok(shared.webUrl!.startsWith(`${shared.space.webUrl}/`), "the room's page is under its space's");
  });

  it("finds people by the start of their username where the network searches users, and says unsupported elsewhere", T, async () => {
    const { client } = get();
    if (!h.connector().capabilities.userSearch) {
      await assert.rejects(client.searchUsers("bo", 10), (e: unknown) => isNetworkError(e, "unsupported"));
      return;
    }
    const found = await client.searchUsers("@bo", 10);
    assert.ok(found.some((u) => u.username === "bob"), `bob among ${JSON.stringify(found.map((u) => u.username))}`);
    assert.ok(found.every((u) => u.username.startsWith("bo") || u.displayName.toLowerCase().includes("bo")));
    assert.ok((await client.searchUsers("b", 1)).length <= 1, "at most the limit");
    assert.deepEqual(await client.searchUsers(" @ ", 10), [], "nothing to search: no one, not a refusal");
  });
}
