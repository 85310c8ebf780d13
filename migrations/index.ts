// The schema history, in order. Listed explicitly (no directory scan, no computed require) so that bundling,
// renaming or compiling the project can never drop or reorder a step. Append only; never edit an applied step.
import type { Knex } from "knex";
import * as users from "./001_users";
import * as oauthStates from "./002_oauth_states";
import * as portals from "./003_portals";
import * as ghosts from "./004_ghosts";
import * as messageLinks from "./005_message_links";
import * as inboxTransactions from "./006_inbox_transactions";
import * as inboxEvents from "./007_inbox_events";
import * as refusedRooms from "./008_refused_rooms";
import * as messageThreads from "./009_message_threads";
import * as sharedMedia from "./010_shared_media";
import * as pendingSends from "./011_pending_sends";
import * as pendingSendFiles from "./020_pending_send_files";
import * as messageFiles from "./021_message_files";
import * as messageAddedTexts from "./022_message_added_texts";
import * as messagePartEvents from "./023_message_part_events";
import * as portalBridgeInfo from "./012_portal_bridge_info";
import * as ghostIds from "./013_ghost_ids";
import * as pendingLogins from "./014_pending_logins";
import * as mediaShares from "./015_media_shares";
import * as portalClosed from "./017_portal_closed";
import * as loginRefresh from "./018_login_refresh";
import * as reactionLinks from "./019_reaction_links";

export interface Migration {
  readonly name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  { name: "001_users", up: users.up, down: users.down },
  { name: "002_oauth_states", up: oauthStates.up, down: oauthStates.down },
  { name: "003_portals", up: portals.up, down: portals.down },
  { name: "004_ghosts", up: ghosts.up, down: ghosts.down },
  { name: "005_message_links", up: messageLinks.up, down: messageLinks.down },
  { name: "006_inbox_transactions", up: inboxTransactions.up, down: inboxTransactions.down },
  { name: "007_inbox_events", up: inboxEvents.up, down: inboxEvents.down },
  { name: "008_refused_rooms", up: refusedRooms.up, down: refusedRooms.down },
  { name: "009_message_threads", up: messageThreads.up, down: messageThreads.down },
  { name: "010_shared_media", up: sharedMedia.up, down: sharedMedia.down },
  { name: "011_pending_sends", up: pendingSends.up, down: pendingSends.down },
  { name: "012_portal_bridge_info", up: portalBridgeInfo.up, down: portalBridgeInfo.down },
  { name: "013_ghost_ids", up: ghostIds.up, down: ghostIds.down },
  { name: "014_pending_logins", up: pendingLogins.up, down: pendingLogins.down },
  { name: "015_media_shares", up: mediaShares.up, down: mediaShares.down },
  { name: "017_portal_closed", up: portalClosed.up, down: portalClosed.down },
  { name: "018_login_refresh", up: loginRefresh.up, down: loginRefresh.down },
  { name: "019_reaction_links", up: reactionLinks.up, down: reactionLinks.down },
  { name: "020_pending_send_files", up: pendingSendFiles.up, down: pendingSendFiles.down },
  { name: "021_message_files", up: messageFiles.up, down: messageFiles.down },
  { name: "022_message_added_texts", up: messageAddedTexts.up, down: messageAddedTexts.down },
  { name: "023_message_part_events", up: messagePartEvents.up, down: messagePartEvents.down },
];
