// Mattermost ids and usernames, and the Matrix localparts of the ghosts that stand for Mattermost users.
// Every ghost localpart is built and parsed here.

const ID_BYTES = 26;
const LETTERS_AND_NUMBERS = /^[\p{L}\p{N}]+$/u;

/**
 * mattermost/mattermost server/public/model/utils.go IsValidId: 26 bytes, each rune a Unicode letter or number.
 * The ids the server makes (model.NewId) are always 26 of [a-z0-9]; this accepts what the server accepts.
 */
export function isValidMattermostId(value: unknown): value is string {
  return typeof value === "string" && Buffer.byteLength(value, "utf8") === ID_BYTES && LETTERS_AND_NUMBERS.test(value);
}

// mattermost/mattermost server/public/model/user.go: UserNameMinLength 1, UserNameMaxLength 64,
// validUsernameChars `^[a-z0-9\.\-_]+$`, restrictedUsernames all/channel/matterbot/system.
export const USERNAME_MAX_LENGTH = 64;
const VALID_USERNAME = /^[a-z0-9._-]{1,64}$/;
const RESTRICTED_USERNAMES = new Set(["all", "channel", "matterbot", "system"]);
// Same file, validUsernameCharsForRemote: users of a shared channel's remote server carry a `:`.
const VALID_REMOTE_USERNAME = /^[a-z0-9._:-]{1,64}$/;

/** model.IsValidUsername. */
export function isValidMattermostUsername(value: unknown): value is string {
  return typeof value === "string" && VALID_USERNAME.test(value) && !RESTRICTED_USERNAMES.has(value);
}

/** model.IsValidUsernameAllowRemote: also `name:remote` usernames of shared channels. */
export function isValidRemoteUsername(value: unknown): value is string {
  return typeof value === "string" && VALID_REMOTE_USERNAME.test(value) && !RESTRICTED_USERNAMES.has(value);
}

// Matrix spec (appendices, "User Identifiers"): a localpart may hold a-z 0-9 . _ = - / and +. Mattermost's own
// username characters are all in that set, so a username is used as it is; anything else a remote user might bring
// (`:`, capitals) is written as `=` and two lower-case hex digits per UTF-8 byte. `=` never occurs in a username,
// so the mapping reverses exactly.
const KEPT = /^[a-z0-9._-]$/;
const PREFIX_SHAPE = /^[a-z0-9._=/+-]+$/;

function checkPrefix(prefix: string): void {
  if (!PREFIX_SHAPE.test(prefix)) throw new Error(`ghost prefix ${JSON.stringify(prefix)} is not a Matrix localpart`);
}

/**
 * The localpart of the ghost for a Mattermost username, e.g. `mattermost_alice.b`. Throws on an invalid prefix
 * (a configuration error) or a username that is neither a local nor a remote Mattermost username.
 */
export function ghostLocalpart(prefix: string, username: string): string {
  checkPrefix(prefix);
  if (!isValidRemoteUsername(username)) throw new Error("not a Mattermost username");
  let out = prefix;
  for (const ch of username) {
    if (KEPT.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, "utf8")) out += `=${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

/** The Mattermost username behind a ghost localpart, or null when the localpart is not one of ours. */
export function usernameFromGhostLocalpart(prefix: string, localpart: string): string | null {
  checkPrefix(prefix);
  if (!localpart.startsWith(prefix)) return null;
  const encoded = localpart.slice(prefix.length);
  if (!/^(?:[a-z0-9._-]|=[0-9a-f]{2})+$/.test(encoded)) return null;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === "=") {
      bytes.push(Number.parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(encoded.charCodeAt(i));
    }
  }
  const username = Buffer.from(bytes).toString("utf8");
  // Only the canonical spelling counts: `=61` for `a` would make two ghosts for one user.
  if (!isValidRemoteUsername(username) || ghostLocalpart(prefix, username) !== localpart) return null;
  return username;
}
