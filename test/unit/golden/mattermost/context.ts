// The users the Mattermost golden pairs know on both sides.
import type { MatrixToMattermostContext, MattermostToMatrixContext, MentionTarget } from "../../../../src/mattermost/convert/types";

const TARGETS: Record<string, MentionTarget> = {
  alice: { mxid: "@mattermost_alice:example.org", displayName: "Alice <A>" },
  "bob.smith": { mxid: "@mattermost_bob.smith:example.org", displayName: "Bob" },
};

export const mattermostCtx: MattermostToMatrixContext = {
  mentionTarget: (username) => (Object.hasOwn(TARGETS, username) ? TARGETS[username]! : null),
};

const USERNAMES: Record<string, string> = {
  "@mattermost_alice:example.org": "alice",
  "@mattermost_bob.smith:example.org": "bob.smith",
  "@me:example.org": "me.on.mattermost",
};

export const matrixCtx: MatrixToMattermostContext = {
  usernameForMxid: (mxid) => (Object.hasOwn(USERNAMES, mxid) ? USERNAMES[mxid]! : null),
};
