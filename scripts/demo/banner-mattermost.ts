// What the demo prints once everything is up with --network mattermost: the same steps as Gitter's banner
// (./banner.ts), in Mattermost's words, with the values of this run.
import type { FixtureData } from "../../emulator/mattermost/fixture";
import { bannerFoot, matrixSteps, otherLogins } from "./banner";

export interface MattermostBannerInfo {
  homeserverUrl: string;
  userId: string;
  localpart: string;
  password: string;
  bot: string;
  mattermostUrl: string;
  webUrl: string;
  fixture: FixtureData;
  bridgeLog: string;
  synapseLog: string;
}

/** A channel the first user is in, and another member of it, for the "post as someone else" example. */
function sampleChannel(fixture: FixtureData): { channel: string; user: string } | undefined {
  const me = fixture.users[0]?.username;
  for (const c of fixture.channels ?? []) {
    const other = c.members.find((m) => m !== me);
    if (c.members.includes(me) && other) return { channel: `${c.team}/${c.name}`, user: other };
  }
  return undefined;
}

export function mattermostBanner(info: MattermostBannerInfo): string {
  const [first, ...others] = info.fixture.users.map((u) => ({ username: u.username, password: u.password ?? "" }));
  const sample = sampleChannel(info.fixture);
  const control = `${info.mattermostUrl}/_emulator`;
  const lines = [
    ...matrixSteps(info),
    " 3. Open the link it answers with and continue. On the Mattermost (emulator) login page use",
    `      username ${first.username}   password ${first.password}`,
    ...otherLogins("Mattermost", others),
    "    and allow; then send the bot the `login <code>` line the bridge's page shows.",
    "    Or log in with a personal access token: send the bot `login token <token>`, with a token the emulator issues:",
    `      curl -X POST ${control}/tokens -H 'content-type: application/json' -d '{"user":"${first.username}"}'`,
    " 4. Your Mattermost channels, direct and group messages arrive as invitations. Send `help` to the bot for every command.",
  ];
  if (sample) {
    lines.push(
      " 5. Post as another Mattermost user through the emulator's control API:",
      `      curl -X POST ${control}/posts -H 'content-type: application/json' \\`,
      `        -d '{"as":"${sample.user}","channel":"${sample.channel}","message":"hello from Mattermost"}'`,
    );
  }
  const places: Array<[string, string]> = [
    ["Mattermost emulator", info.mattermostUrl],
    ["bridge web", `${info.webUrl}  (health: ${info.webUrl}/health)`],
    ["bridge log", info.bridgeLog],
    ["Synapse log", info.synapseLog],
  ];
  return [...lines, ...bannerFoot(places, 21)].join("\n") + "\n";
}
