// How a network's people name its things, and what they type to name a room or a person: the words the bot's
// commands and notices use (Gitter's rooms, Mattermost's channels), and the network's own parser of a target.

/** A room or a person named by what someone typed: `uri` is what `resolveRoom` takes, `username` `resolveUser`. */
export type NetworkTarget = { kind: "room"; uri: string } | { kind: "user"; username: string };

/** A parsed target, or what is wrong with the input, in words for the person who typed it. */
export type TargetResult = { ok: true; target: NetworkTarget } | { ok: false; problem: string };

export interface NetworkTerms {
  /** A group room, singular and plural: `room`/`rooms` (Gitter), `channel`/`channels` (Mattermost). */
  readonly room: string;
  readonly rooms: string;
  /** How a room is typed, as an example: `org/room`, `team/channel`. */
  readonly roomExample: string;
  /** The other way to name a room, said after "or": `a Gitter link`, `a channel link`. */
  readonly roomLink: string;
  /** A chat of two: `one-to-one` (as a label), and `one-to-one chat` (in a sentence). */
  readonly direct: string;
  readonly directChat: string;
  /**
   * What the network's people prefix commands that act on its rooms with, where a plain `join` would be ambiguous:
   * `g` on Gitter (`gjoin`, `gpart`), nothing on Mattermost (`join`, `part`). Both names are accepted everywhere.
   */
  readonly commandPrefix: string;
  /** Where a person makes a personal access token, for a sentence (`Profile > Security > ...`); absent: not said. */
  readonly tokenWhere?: string;
  /**
   * Parses what a person typed to name a room (`org/room`, `team/channel`, the network's link to it) or a person
   * (`@alice`, `alice`). Pure; never throws: a malformed input is a `problem` naming what was expected.
   */
  parseTarget(input: string): TargetResult;
}
