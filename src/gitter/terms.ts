// Gitter's words for people (rooms, one-to-one chats, the `g` of gjoin and gpart) and its parser of targets.
import type { NetworkTerms } from "../network/terms";
import { parseGitterTarget } from "./targets";

export const GITTER_TERMS: NetworkTerms = {
  room: "room",
  rooms: "rooms",
  roomExample: "org/room",
  roomLink: "a Gitter link",
  direct: "one-to-one",
  directChat: "one-to-one chat",
  commandPrefix: "g",
  parseTarget: parseGitterTarget,
};
