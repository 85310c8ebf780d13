// Mattermost's words for people (channels, direct messages, plain `join` and `part`) and its parser of targets.
import type { NetworkTerms } from "../network/terms";
import { mattermostTargetParser } from "./network-targets";

/** The terms of the server at `serverUrl`: its channel links are the ones its parser takes. */
export function mattermostTerms(serverUrl: string): NetworkTerms {
  return {
    room: "channel",
    rooms: "channels",
    roomExample: "team/channel",
    roomLink: "a channel link",
    direct: "direct message",
    directChat: "direct message",
    commandPrefix: "",
    // The web app's menu (Profile > Security); the server must allow personal access tokens, and the user may need
    // the system admin to grant them the right to make one.
    tokenWhere: "Profile > Security > Personal Access Tokens",
    parseTarget: mattermostTargetParser(serverUrl),
  };
}
