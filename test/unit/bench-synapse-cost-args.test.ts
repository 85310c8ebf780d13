import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSynapseCostArgs } from "../../bench/synapse-cost-args";

test("synapse-cost measures Gitter alone unless --network names the networks", () => {
  assert.deepEqual(parseSynapseCostArgs([]).networks, ["gitter"]);
  assert.deepEqual(parseSynapseCostArgs(["--network", "mattermost"]).networks, ["mattermost"]);
  const both = parseSynapseCostArgs(["--network", "mattermost,gitter", "--base", "20", "--rounds", "2"]);
  assert.deepEqual(both.networks, ["mattermost", "gitter"]);
  assert.equal(both.base, 20);
  assert.equal(both.rounds, 2);
});

test("synapse-cost refuses a network it does not know, naming it and the ones it takes", () => {
  assert.throws(() => parseSynapseCostArgs(["--network", "gitter,slack"]), {
    message: '--network takes gitter and/or mattermost (comma-separated), not "slack"',
  });
  assert.throws(() => parseSynapseCostArgs(["--network"]), /--network takes gitter and\/or mattermost/);
});

test("synapse-cost still refuses unknown options and numbers below 1", () => {
  assert.throws(() => parseSynapseCostArgs(["--networks", "gitter"]), /unknown option --networks/);
  assert.throws(() => parseSynapseCostArgs(["--base", "0"]), /whole numbers above 0/);
});
