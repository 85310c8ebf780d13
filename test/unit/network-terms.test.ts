// Each network's terms: its parser of what people type to name a room or a person (Gitter's cases are in
// commands.test.ts, where they always were).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
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
