import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GITTER_PROFILE } from "../../src/gitter/network";
import { toRoom } from "../../src/gitter/network-convert";
import { MattermostConnector } from "../../src/mattermost/network";
import { toRoom as toMattermostRoom } from "../../src/mattermost/network-convert";
import type { MmChannel, MmTeam } from "../../src/mattermost/types";
import type { GitterRoom } from "../../src/gitter/types";
import type { NetworkRoom } from "../../src/network/types";
import { bridgeInfoContent, bridgeInfoState, bridgeInfoStateKey, ensureBridgeInfo } from "../../src/puppet/bridge-info";
import type { PortalRoom } from "../../src/puppet/portal";
import type { SessionContext } from "../../src/puppet/session-context";

const BOT = "@gitter:example.org";
const OWNER = "@alice:example.org";
/** A Gitter session's client, as far as bridge info reads it. */
const GITTER = { profile: GITTER_PROFILE };

/** A Gitter room as the portals receive it: converted by the Gitter adapter. */
function room(over: Partial<GitterRoom> = {}): NetworkRoom {
  return toRoom({
    id: "5f00aa",
    name: "gitter-demo/lobby",
    topic: "",
    uri: "gitter-demo/lobby",
    oneToOne: false,
    userCount: 3,
    unreadItems: 0,
    mentions: 0,
    lurk: false,
    url: "/gitter-demo/lobby",
    githubType: "ORG",
    ...over,
  });
}

/** A homeserver double for the bot: room state in a map, every write recorded. */
function fakeContext(state: Map<string, Record<string, unknown>>, writes: string[]): SessionContext {
  const bot = {
    getStateEvent: async (roomId: string, type: string, key: string) => state.get(`${roomId}|${type}|${key}`) ?? null,
    sendState: async (roomId: string, type: string, key: string, content: Record<string, unknown>) => {
      writes.push(`${type} ${key}`);
      state.set(`${roomId}|${type}|${key}`, content);
      return "$e";
    },
  };
  // Only the parts bridge-info touches; the rest of the context is not needed here.
  return { mxid: OWNER, ids: { botMxid: BOT }, network: GITTER, matrix: { as: () => bot } } as unknown as SessionContext;
}

const portal = { matrixRoomId: "!p:example.org" } as PortalRoom;

describe("bridge info", () => {
  it("describes a group room with its community, MSC2346 style", () => {
    assert.deepEqual(bridgeInfoContent(GITTER_PROFILE, room(), BOT, OWNER), {
      bridgebot: BOT,
      creator: OWNER,
      protocol: { id: "gitter", displayname: "Gitter", external_url: "https://gitter.im" },
      network: { id: "gitter-demo", displayname: "gitter-demo", external_url: "https://gitter.im/gitter-demo" },
      channel: { id: "5f00aa", displayname: "gitter-demo/lobby", external_url: "https://gitter.im/gitter-demo/lobby" },
    });
  });

  it("links a one-to-one chat to the other person's page, with no community", () => {
    const dm = room({ uri: undefined, oneToOne: true, name: "Bob Brown", url: "/bob", user: { id: "u1", username: "bob", displayName: "Bob Brown", url: "/bob" } });
    const content = bridgeInfoContent(GITTER_PROFILE, dm, BOT, OWNER);
    assert.equal(content.network, undefined);
    assert.deepEqual(content.channel, { id: "5f00aa", displayname: "Bob Brown", external_url: "https://gitter.im/bob" });
  });

  it("gives both event types the same content under a state key unique to the Gitter room", () => {
    const events = bridgeInfoState({ mxid: OWNER, ids: { botMxid: BOT }, network: GITTER } as unknown as SessionContext, room());
    assert.deepEqual(events.map((e) => [e.type, e.state_key]), [
      ["m.bridge", "gitter://gitter/5f00aa"],
      ["uk.half-shot.bridge", "gitter://gitter/5f00aa"],
    ]);
    assert.deepEqual(events[0].content, events[1].content);
    assert.notEqual(bridgeInfoStateKey(GITTER_PROFILE, "a"), bridgeInfoStateKey(GITTER_PROFILE, "b"));
  });

  it("backfills a portal that lacks it, then leaves it alone until the room changes", async () => {
    const state = new Map<string, Record<string, unknown>>();
    const writes: string[] = [];
    const ctx = fakeContext(state, writes);
    assert.equal(await ensureBridgeInfo(ctx, portal, room()), true);
    assert.deepEqual(writes, ["m.bridge gitter://gitter/5f00aa", "uk.half-shot.bridge gitter://gitter/5f00aa"]);
    assert.equal(await ensureBridgeInfo(ctx, portal, room()), false);
    assert.equal(writes.length, 2, "nothing is written when both events are current");
    assert.equal(await ensureBridgeInfo(ctx, portal, room({ name: "gitter-demo/lobby2" })), true);
    assert.equal(writes.length, 4);
    assert.equal((state.get("!p:example.org|m.bridge|gitter://gitter/5f00aa")?.channel as { displayname: string }).displayname, "gitter-demo/lobby2");
  });

  it("names the session's network: a Mattermost channel is bridged to Mattermost, the server's site and the team's", () => {
    const server = "https://chat.example.org";
    const network = new MattermostConnector({ serverUrl: `${server}/` }).resume("t".repeat(26), { id: "a".repeat(26), username: "alice", displayName: "Alice" });
    const team: MmTeam = { id: "t".repeat(26), name: "acme", display_name: "Acme" };
    const channel: MmChannel = { id: "c".repeat(26), type: "O", name: "dev", display_name: "Dev", team_id: team.id, delete_at: 0 };
    const room = toMattermostRoom(channel, new Map([[team.id, team]]), [], server);
    const events = bridgeInfoState({ mxid: OWNER, ids: { botMxid: BOT }, network } as unknown as SessionContext, room);
    assert.deepEqual(events.map((e) => [e.type, e.state_key]), [
      ["m.bridge", `mattermost://mattermost/${channel.id}`],
      ["uk.half-shot.bridge", `mattermost://mattermost/${channel.id}`],
    ]);
    assert.deepEqual(events[0].content, {
      bridgebot: BOT,
      creator: OWNER,
      protocol: { id: "mattermost", displayname: "Mattermost", external_url: server },
      network: { id: team.id, displayname: "Acme", external_url: `${server}/acme` },
      channel: { id: channel.id, displayname: "Dev", external_url: `${server}/acme/channels/dev` },
    });
  });
});
