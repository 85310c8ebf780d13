// Invites from someone the bridge does not serve, on a real Synapse: the bridge turns them down and does nothing
// else on their behalf. No ghost is registered, nobody joins, no profile is set; the bot and any ghost that
// already exists reject the invite, with the reason in the rejection.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { MatrixUser } from "../harness/matrix-user";
import { eventually } from "../harness/stack";
import { BOT, SecurityStack } from "./security-stack";

type TimelineEvent = { type: string; sender: string; state_key?: string; content: Record<string, unknown> };

describe("invites from users the bridge does not serve", { timeout: 300_000 }, () => {
  let stack: SecurityStack;
  let mallory: MatrixUser;

  const history = async (roomId: string): Promise<TimelineEvent[]> => {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`;
    const res = (await mallory.client.doRequest("GET", path, { dir: "b", limit: 200 })) as { chunk: TimelineEvent[] };
    return res.chunk.reverse();
  };
  const memberships = async (roomId: string, mxid: string) =>
    (await history(roomId)).filter((e) => e.type === "m.room.member" && e.state_key === mxid).map((e) => String(e.content.membership));
  const exists = async (mxid: string) => {
    const profile = await mallory.client.getUserProfile(mxid).catch((err: { statusCode?: number }) => err);
    if ((profile as { statusCode?: number }).statusCode === 404) return false;
    assert.ok(!(profile instanceof Error), String(profile));
    return true;
  };
  const dm = (invitee: string) => mallory.client.createRoom({ invite: [invitee], is_direct: true, preset: "trusted_private_chat" });

  before(async () => {
    stack = await SecurityStack.start({ permissions: { localhost: "user", "@mallory:localhost": "none" } });
    mallory = await stack.matrixUser("mallory");
  });
  after(() => stack?.stop());

  it("registers no ghost and joins no one for a ghost's invite, the bot's, or an existing ghost's", async () => {
    const fresh = "@gitter_alice:localhost";
    // A ghost that already exists on the homeserver (registered the way the bridge registers its ghosts).
    const known = "@gitter_bob:localhost";
    const { as_token: asToken } = await stack.registration();
    const reg = await fetch(`${stack.synapse.url}/_matrix/client/v3/register`, {
      method: "POST",
      headers: { authorization: `Bearer ${asToken}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "m.login.application_service", username: "gitter_bob", inhibit_login: true }),
    });
    assert.equal(reg.status, 200, await reg.text());
    assert.equal(await exists(fresh), false, "alice's ghost does not exist yet");

    const ghostRoom = await dm(fresh);
    const botRoom = await dm(BOT);
    const knownRoom = await dm(known);
    for (const [room, who] of [[botRoom, BOT], [knownRoom, known]] as const) {
      await eventually(async () => (await memberships(room, who)).at(-1) === "leave", `${who} turning the invite down`);
      assert.deepEqual(await memberships(room, who), ["invite", "leave"], `${who} never joined`);
      const leave = (await history(room)).filter((e) => e.type === "m.room.member" && e.state_key === who).at(-1)!;
      assert.equal(leave.sender, who, "a rejection, not a kick");
      assert.match(String(leave.content.reason), /not open to your Matrix account/);
    }
    await eventually(
      async () => stack.bridgeLines.some((l) => l.includes("invite from a user the bridge does not serve") && l.includes(ghostRoom)) || (await exists(fresh)),
      "the ghost's invite handled",
    );
    assert.equal(await exists(fresh), false, "the invite registered no ghost");
    assert.deepEqual(await memberships(ghostRoom, fresh), ["invite"], "the unregistered ghost never joined");
    for (const room of [ghostRoom, botRoom, knownRoom]) {
      const said = (await history(room)).filter((e) => e.type === "m.room.message" && e.sender !== mallory.userId);
      assert.deepEqual(said, [], "nothing said in a room the bridge never joined");
    }
    // The ghost that existed kept the profile it had: nothing was set on mallory's behalf.
    assert.equal((await mallory.client.getUserProfile(known)).displayname, "gitter_bob");
  });
});
