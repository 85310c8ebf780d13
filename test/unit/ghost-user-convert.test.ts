// Ghosts take the network's user (NetworkUser); a Gitter user reaches them through toUser. What a ghost is made of
// (its id from the username, its display name through the template, its avatar) must come out the same either way.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_DISPLAY_NAME_TEMPLATE, renderDisplayName } from "../../src/convert/display-name";
import { GITTER_IDS } from "../../src/gitter/network";
import { toUser } from "../../src/gitter/network-convert";
import type { GitterUser } from "../../src/gitter/types";
import { MatrixIds } from "../../src/matrix/ids";

const ids = new MatrixIds({ domain: "example.org", botLocalpart: "gitterbot", ghostPrefix: "gitter_" });

const users: Array<[string, GitterUser]> = [
  ["a plain user", { id: "u1", username: "alice", displayName: "Alice Anders", url: "/alice", avatarUrl: "https://avatars.example/a" }],
  ["an empty display name", { id: "u2", username: "bob", displayName: "", url: "/bob" }],
  ["a display name Gitter sent as null", { id: "u3", username: "carol", displayName: null as unknown as string, url: "/carol" }],
  ["an invisible display name", { id: "u4", username: "dave", displayName: " \u200b\u202e ", url: "/dave" }],
  ["upper case and a long username", { id: "u5", username: `Mad${"L".repeat(300)}`, displayName: "\u202eMallory", url: "/m" }],
  ["only small avatars", { id: "u6", username: "erin", displayName: "Erin", url: "/erin", avatarUrlSmall: "https://avatars.example/s" }],
];

describe("a Gitter user as the ghosts' NetworkUser", () => {
  for (const [what, gitter] of users) {
    it(`keeps the ghost's id, name and avatar: ${what}`, () => {
      const user = toUser(gitter);
      assert.equal(ids.ghostMxid(GITTER_IDS.ghostName(user)), ids.ghostMxid(gitter.username), "the ghost id, from the username");
      for (const template of [DEFAULT_DISPLAY_NAME_TEMPLATE, "{username}", "{displayName} [{username}]"]) {
        assert.equal(renderDisplayName(template, user), renderDisplayName(template, gitter), template);
      }
      assert.equal(user.avatarUrl ?? null, gitter.avatarUrl ?? null, "the avatar the ghost copies");
    });
  }
});
