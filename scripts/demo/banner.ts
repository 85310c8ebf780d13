// What the demo prints once everything is up: exactly what to do next, with the values of this run.
import type { FixtureData } from "../../emulator/fixture";

export interface BannerInfo {
  homeserverUrl: string;
  userId: string;
  localpart: string;
  password: string;
  bot: string;
  gitterUrl: string;
  webUrl: string;
  fixture: FixtureData;
  bridgeLog: string;
  synapseLog: string;
}

export const READY_LINE = "The demo is ready.";

interface Login {
  username: string;
  password: string;
}

function logins(fixture: FixtureData): Login[] {
  return fixture.users.map((u) => ({ username: u.username, password: u.password ?? u.username }));
}

/** A room the first user is in, and another member of it, for the "post as someone else" example. */
function sampleMessage(fixture: FixtureData): { room: string; user: string } | undefined {
  const me = fixture.users[0]?.username;
  for (const room of fixture.rooms ?? []) {
    const other = room.members.find((m) => m !== me);
    if (room.members.includes(me) && other) return { room: room.uri, user: other };
  }
  return undefined;
}

export function readyBanner(info: BannerInfo): string {
  const [first, ...others] = logins(info.fixture);
  const sample = sampleMessage(info.fixture);
  const rule = "─".repeat(72);
  const lines = [
    rule,
    ` ${READY_LINE}`,
    "",
    " 1. Sign in with any Matrix client (Element, nheko, ...):",
    `      homeserver  ${info.homeserverUrl}`,
    `      username    ${info.localpart}   (${info.userId})`,
    `      password    ${info.password}`,
    ` 2. Start a direct chat with the bridge bot ${info.bot} and send: login`,
    " 3. Open the link it answers with and press Continue to Gitter. On the Gitter (emulator) login page use",
    `      username ${first.username}   password ${first.password}`,
  ];
  if (others.length > 0) lines.push(`    (other Gitter users: ${others.map((l) => `${l.username} / ${l.password}`).join(", ")})`);
  lines.push("    and approve; then send the bot the `login <code>` line the bridge's page shows.");
  lines.push(" 4. Your Gitter rooms arrive as invitations. Send `help` to the bot for every command.");
  if (sample) {
    lines.push(
      " 5. Post as another Gitter user through the emulator's control API:",
      `      curl -X POST ${info.gitterUrl}/_emulator/messages -H 'content-type: application/json' \\`,
      `        -d '{"user":"${sample.user}","room":"${sample.room}","text":"hello from Gitter"}'`,
    );
  }
  lines.push(
    "",
    ` Gitter emulator   ${info.gitterUrl}`,
    ` bridge web        ${info.webUrl}  (health: ${info.webUrl}/health)`,
    ` bridge log        ${info.bridgeLog}`,
    ` Synapse log       ${info.synapseLog}`,
    "",
    " Press Ctrl-C to stop everything.",
    rule,
  );
  return lines.join("\n") + "\n";
}
