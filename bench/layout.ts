// The benchmark's Gitter world, generated rather than written: bridge users in blocks of BLOCK who share
// ROOMS_PER_USER - 1 group rooms (with one "speaker" per block, a Gitter user who is never logged in), and a
// one-to-one chat per bridge user with a "peer" who is never logged in either. Ids are deterministic so the
// benchmark can seed the bridge's database for users and rooms the emulator (another process) created.
import { createHash } from "node:crypto";
import type { FixtureData } from "../emulator/fixture";

export const BLOCK = 25;
export const ROOMS_PER_USER = 20;
export const GROUP_ROOMS = ROOMS_PER_USER - 1;

export interface LayoutOptions {
  /** Bridge users (a multiple of BLOCK). */
  users: number;
  /** Prefix of every username and room uri, so two layouts may share an emulator. */
  prefix: string;
  /** OAuth client id the tokens are issued for (the bridge's). */
  clientId: string;
}

/** Two hex digits of kind, then the index: distinct ids for users, speakers, peers and rooms. */
const objectId = (kind: number, i: number) => kind.toString(16).padStart(2, "0") + i.toString(16).padStart(22, "0");

export const layout = {
  userId: (i: number) => objectId(0xa1, i),
  speakerId: (block: number) => objectId(0xa2, block),
  peerId: (i: number) => objectId(0xa3, i),
  groupRoomId: (block: number, k: number) => objectId(0xc1, block * GROUP_ROOMS + k),
  dmRoomId: (i: number) => objectId(0xc2, i),
  token: (o: LayoutOptions, i: number) => createHash("sha1").update(`${o.prefix}:${i}`).digest("hex"),
  username: (o: LayoutOptions, i: number) => `${o.prefix}u${i}`,
  speaker: (o: LayoutOptions, block: number) => `${o.prefix}s${block}`,
  peer: (o: LayoutOptions, i: number) => `${o.prefix}p${i}`,
  mxid: (o: LayoutOptions, i: number, domain: string) => `@${o.prefix}u${i}:${domain}`,
  blocks: (users: number) => Math.ceil(users / BLOCK),
};

/** The emulator fixture. Fixtures cannot give one-to-one rooms an id: emulator-proc opens them (dmRoomId). */
export function buildFixture(o: LayoutOptions): FixtureData {
  const users: FixtureData["users"] = [];
  const rooms: NonNullable<FixtureData["rooms"]> = [];
  const tokens: NonNullable<FixtureData["tokens"]> = [];
  for (let b = 0; b < layout.blocks(o.users); b++) {
    users.push({ id: layout.speakerId(b), username: layout.speaker(o, b), displayName: `Speaker ${b}`, avatar: "#3e8ee8" });
    const members = [layout.speaker(o, b)];
    for (let i = b * BLOCK; i < Math.min(o.users, (b + 1) * BLOCK); i++) {
      users.push({ id: layout.userId(i), username: layout.username(o, i), avatar: "#e8543e" });
      users.push({ id: layout.peerId(i), username: layout.peer(o, i), avatar: "#46b35b" });
      members.push(layout.username(o, i));
      tokens.push({ user: layout.username(o, i), clientId: o.clientId, token: layout.token(o, i) });
    }
    for (let k = 0; k < GROUP_ROOMS; k++) rooms.push({ id: layout.groupRoomId(b, k), uri: `${o.prefix}org${b}/room${k}`, members });
  }
  return { users, rooms, tokens };
}
