// Files attached to a network message (Mattermost's file_ids; Gitter has none), into Matrix: each is downloaded
// from the network with the session's token, uploaded to the homeserver as the sender's ghost, and sent as an event
// of its own (m.image, m.video, m.audio or m.file) after the message's text, in the text's thread. A file over the
// configured size cap, or one that cannot be fetched, is named in a line of text instead, so no attachment passes
// unseen. The transaction id names the message and the file's place, so a message bridged again lands each once.
import type { NetworkFile, NetworkMessage } from "../network/types";
import { getLogger } from "../util/log";
import type { SessionContext } from "./session-context";

const log = getLogger("portal");

export interface FileTarget {
  matrixRoomId: string;
  /** The sender's ghost. */
  sender: string;
  /** The thread or reply relation the message's text got, given to each file too. */
  relation?: Record<string, unknown>;
  /** Whether the events may already exist (the first send of a portal after a start: a crash may have sent them). */
  mayExist: boolean;
}

/** Sends the message's files to Matrix; resolves with their event ids, in order. May throw (homeserver unreachable). */
export async function filesToMatrix(ctx: SessionContext, msg: NetworkMessage, to: FileTarget): Promise<string[]> {
  if (!msg.files?.length || !ctx.capabilities.files) return [];
  const sent: string[] = [];
  for (const [i, file] of msg.files.entries()) {
    const content = (await uploaded(ctx, file, to.sender)) ?? unseen(file);
    if (to.relation) content["m.relates_to"] = to.relation;
    const txnId = `g2m-${msg.id}-file-${i}`;
    sent.push(await ctx.matrix.as(to.sender).sendEvent(to.matrixRoomId, "m.room.message", content, txnId, { mayExist: to.mayExist }));
  }
  return sent;
}

/** The file as Matrix media content; null when it is over the cap or could not be copied. Never throws. */
async function uploaded(ctx: SessionContext, file: NetworkFile, sender: string): Promise<Record<string, unknown> | null> {
  if (file.size > ctx.media.maxBytes) return null;
  try {
    const { data, mimeType } = await ctx.network.downloadFile(file.id);
    if (data.byteLength > ctx.media.maxBytes) return null;
    const mimetype = mimeType || file.mimeType || "application/octet-stream";
    const url = await ctx.matrix.as(sender).uploadMedia(data, mimetype, file.name);
    return { msgtype: msgtypeOf(mimetype), body: file.name, filename: file.name, url, info: { mimetype, size: data.byteLength } };
  } catch (err) {
    log.info("network file not copied to Matrix; it is named instead", { file: file.id, error: err as Error });
    return null;
  }
}

function unseen(file: NetworkFile): Record<string, unknown> {
  return { msgtype: "m.notice", body: `(a file was not copied: ${file.name}, ${file.size} bytes)` };
}

function msgtypeOf(mimetype: string): string {
  if (mimetype.startsWith("image/")) return "m.image";
  if (mimetype.startsWith("video/")) return "m.video";
  if (mimetype.startsWith("audio/")) return "m.audio";
  return "m.file";
}
