// Each network's terms: its parser of what people type to name a room or a person (Gitter's cases are in
// commands.test.ts, where they always were), and the words the bot's texts are filled with.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fill } from "../../src/commands/words";
import { GITTER_TERMS } from "../../src/gitter/terms";
import { MattermostConnector } from "../../src/mattermost/network";
import type { NetworkTarget } from "../../src/network/terms";

describe("Mattermost's parser of targets", () => {
  const terms = new MattermostConnector({ serverUrl: "https://chat.example.com/mm/" }).terms;
  const cases: Array<[string, NetworkTarget | RegExp]> = [
    ["acme/town-square", { kind: "room", uri: "acme/town-square" }],
    ["  Acme/Dev ", { kind: "room", uri: "acme/dev" }],
    ["https://chat.example.com/mm/acme/channels/dev", { kind: "room", uri: "acme/dev" }],
    ["https://CHAT.example.com/mm/acme/channels/off-topic/", { kind: "room", uri: "acme/off-topic" }],
    ["https://chat.example.com/mm/acme/messages/@bob", { kind: "user", username: "bob" }],
    ["@bob", { kind: "user", username: "bob" }],
    ["bob.smith", { kind: "user", username: "bob.smith" }],
    ["", /a channel \(team\/channel or a channel link\) or a username is needed/],
    ["https://other.example.com/acme/channels/dev", /is not a link to chat\.example\.com/],
    ["https://chat.example.com/acme/channels/dev", /is not a link to chat\.example\.com/],
    ["https://chat.example.com/mm/acme/messages/abcdefghijklmnopqrstuvwxyz", /is a group message/],
    ["https://chat.example.com/mm/acme/pl/abcdefghijklmnopqrstuvwxyz", /not a link to a channel or a direct message/],
    ["https://chat.example.com/mm/acme/channels/%E0%A4%A", /broken %-escape/],
    ["acme/dev/extra", /is not a Mattermost channel \(team\/channel\) or username/],
    ["@bob/dev", /is not a Mattermost channel/],
    ["acme/<script>", /is not a Mattermost channel/],
    ["../etc", /is not a Mattermost channel/],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} -> ${want instanceof RegExp ? "error" : JSON.stringify(want)}`, () => {
      const got = terms.parseTarget(input);
      if (want instanceof RegExp) assert.ok(!got.ok && want.test(got.problem), JSON.stringify(got));
      else assert.deepEqual(got, { ok: true, target: want });
    });
  }
});

describe("the bot's texts in a network's words", () => {
  const mattermost = { name: "Mattermost", terms: new MattermostConnector({ serverUrl: "https://chat.example.com" }).terms };
  const gitter = { name: "Gitter", terms: GITTER_TERMS };
  const text = "Join a {network} {room} ({example} or {link}), or start a {directChat} with `{join}`; {part}, {rooms}, ({direct}) {unknown}";

  it("reads as Gitter's bridge always said on Gitter", () => {
    assert.equal(fill(text, gitter), "Join a Gitter room (org/room or a Gitter link), or start a one-to-one chat with `gjoin`; gpart, rooms, (one-to-one) {unknown}");
  });

  it("says channels, team/channel, direct messages and plain join and part on Mattermost", () => {
    assert.equal(
      fill(text, mattermost),
      "Join a Mattermost channel (team/channel or a channel link), or start a direct message with `join`; part, channels, (direct message) {unknown}",
    );
  });
});
