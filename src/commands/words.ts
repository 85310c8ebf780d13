// The bot's texts in the network's words: a text names the network and its things by placeholders, filled here
// from the network's terms. On Gitter every text reads as it always did ("Join a Gitter room (org/room or a Gitter
// link)"); on Mattermost the same text says "Join a Mattermost channel (team/channel or a channel link)".
import { escapeHtml } from "../web/pages";
import type { CommandNetwork } from "./types";

/**
 * `text` with {network} (its name), {room}, {rooms}, {example} (`org/room`), {link} (`a Gitter link`), {direct}
 * (`one-to-one`), {directChat} (`one-to-one chat`), {join} and {part} (`gjoin`, `gpart` on Gitter) filled in.
 */
export function fill(text: string, network: CommandNetwork): string {
  const t = network.terms;
  const words: Record<string, string> = {
    network: network.name,
    room: t.room,
    rooms: t.rooms,
    example: t.roomExample,
    link: t.roomLink,
    direct: t.direct,
    directChat: t.directChat,
    join: `${t.commandPrefix}join`,
    part: `${t.commandPrefix}part`,
  };
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => words[key] ?? whole);
}

/** How to log in with a personal access token, as the end of a sentence ("To log in, …"). */
export function tokenHowTo(network: CommandNetwork): string {
  return `${makeToken(network)} and send it here as \`login token <token>\``;
}

/** The same, as HTML. */
export function tokenHowToHtml(network: CommandNetwork): string {
  return `${escapeHtml(makeToken(network))} and send it here as <code>login token &lt;token&gt;</code>`;
}

function makeToken(network: CommandNetwork): string {
  const where = network.terms.tokenWhere ? ` (${network.terms.tokenWhere})` : "";
  return `make a personal access token in ${network.name}${where}`;
}
