// MatrixClient.setTyping against the stub homeserver: a ghost's typing shown and stopped in a room, as that ghost.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MatrixClient } from "../../src/matrix/client";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";

describe("MatrixClient typing", () => {
  let hs: HomeserverStub;
  before(async () => {
    hs = await startHomeserverStub();
  });
  after(async () => {
    await hs?.stop();
  });

  it("shows a ghost typing for a while, then stops it", async () => {
    const bot = MatrixClient.connect({ homeserverUrl: hs.url, asToken: "unused", userId: "@bot:localhost" });
    const ghost = bot.as("@mattermost_bob:localhost");
    await ghost.setTyping("!room:localhost", true, 6_000);
    await ghost.setTyping("!room:localhost", false);
    assert.deepEqual(hs.typings, [
      { roomId: "!room:localhost", userId: "@mattermost_bob:localhost", typing: true, timeout: 6_000 },
      { roomId: "!room:localhost", userId: "@mattermost_bob:localhost", typing: false },
    ]);
  });
});
