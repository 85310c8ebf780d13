// The README is the first thing a newcomer reads: its command table must match the bot's command table, and its
// quick start must stay two commands.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { COMMANDS, usage } from "../../src/commands/table";

const README = readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");

function section(title: string): string {
  const start = README.indexOf(`\n## ${title}`);
  assert.ok(start >= 0, `README has a "## ${title}" section`);
  const end = README.indexOf("\n## ", start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

interface Row {
  usage: string;
  name: string;
  text: string;
}

function commandRows(): Row[] {
  return section("Bot commands")
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .map((line) => {
      const [, first, text] = /^\| `((?:[^`\\]|\\.)+)` \| (.*) \|$/.exec(line) ?? [];
      assert.ok(first, `cannot read the README command row: ${line}`);
      const shown = first.replace(/\\\|/g, "|");
      // A command's name may be two words (`login token`): the longest name the row starts with.
      const named = COMMANDS.map((c) => c.name).filter((n) => shown === n || shown.startsWith(`${n} `));
      return { usage: shown, name: named.sort((a, b) => b.length - a.length)[0] ?? shown.split(" ")[0], text };
    });
}

describe("README", () => {
  it("lists every bot command, with the usage and aliases of src/commands/table.ts, and no others", () => {
    const rows = commandRows();
    assert.deepEqual(rows.map((r) => r.name).sort(), COMMANDS.map((c) => c.name).sort());
    for (const cmd of COMMANDS) {
      const row = rows.find((r) => r.name === cmd.name)!;
      assert.equal(row.usage, usage(cmd), `README usage of ${cmd.name}`);
      for (const alias of cmd.aliases ?? []) assert.match(row.text, new RegExp(`\`${alias}\``), `README names the alias ${alias}`);
    }
  });

  it("starts a newcomer with exactly two commands: the demo and the tests", () => {
    const blocks = [...section("Quick start").matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].trim());
    assert.deepEqual(blocks, ["./scripts/demo.sh", "./scripts/test-all.sh"]);
  });

  it("documents deploying, Docker, the config reference, upgrading, PostgreSQL and troubleshooting", () => {
    assert.match(section("Deploying beside Synapse"), /app_service_config_files/);
    assert.match(section("Deploying beside Synapse"), /--generate-registration/);
    assert.match(section("Running with Docker"), /docker run /);
    assert.match(section("Configuration"), /docs\/config\.md/);
    assert.match(section("Upgrading"), /migration/);
    assert.match(section("PostgreSQL"), /postgres:\/\//);
    assert.match(section("Troubleshooting"), /401/);
  });
});
