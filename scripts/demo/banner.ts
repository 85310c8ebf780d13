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
const RULE = "─".repeat(72);

/** The Matrix side of a banner, the same on every network. */
export type MatrixSide = Pick<BannerInfo, "homeserverUrl" | "userId" | "localpart" | "password" | "bot">;

export interface Login {
  username: string;
  password: string;
}

function logins(fixture: FixtureData): Login[] {
  return fixture.users.map((u) => ({ username: u.username, password: u.password ?? u.username }));
}

/** The banner's head: signing in to Matrix and finding the bot (steps 1 and 2). */
export function matrixSteps(info: MatrixSide): string[] {
  return [
    RULE,
    ` ${READY_LINE}`,
    "",
    " 1. Sign in with any Matrix client (Element, nheko, ...):",
    `      homeserver  ${info.homeserverUrl}`,
    `      username    ${info.localpart}   (${info.userId})`,
    `      password    ${info.password}`,
    ` 2. Start a direct chat with the bridge bot ${info.bot} and send: login`,
  ];
}

/** The line naming the network's other users and their passwords, if there are any. */
export function otherLogins(network: string, others: Login[]): string[] {
  return others.length > 0 ? [`    (other ${network} users: ${others.map((l) => `${l.username} / ${l.password}`).join(", ")})`] : [];
}

/** The banner's foot: where each part is (labels padded to `width`), and how to stop. */
export function bannerFoot(places: Array<[label: string, where: string]>, width: number): string[] {
  return ["", ...places.map(([label, where]) => ` ${label.padEnd(width)}${where}`), "", " Press Ctrl-C to stop everything.", RULE];
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
  const lines = [
    ...matrixSteps(info),
    " 3. Open the link it answers with and press Continue to Gitter. On the Gitter (emulator) login page use",
    `      username ${first.username}   password ${first.password}`,
    ...otherLogins("Gitter", others),
    "    and approve; then send the bot the `login <code>` line the bridge's page shows.",
    " 4. Your Gitter rooms arrive as invitations. Send `help` to the bot for every command.",
  ];
  if (sample) {
    lines.push(
      " 5. Post as another Gitter user through the emulator's control API:",
      `      curl -X POST ${info.gitterUrl}/_emulator/messages -H 'content-type: application/json' \\`,
      `        -d '{"user":"${sample.user}","room":"${sample.room}","text":"hello from Gitter"}'`,
    );
  }
  const places: Array<[string, string]> = [
    ["Gitter emulator", info.gitterUrl],
    ["bridge web", `${info.webUrl}  (health: ${info.webUrl}/health)`],
    ["bridge log", info.bridgeLog],
    ["Synapse log", info.synapseLog],
  ];
  return [...lines, ...bannerFoot(places, 18)].join("\n") + "\n";
}
