// Files sent from Matrix, onto a network that takes uploads (capabilities.files; Gitter gets links instead, see
// portal-content.ts): the file is read from the homeserver as the appservice, within the size cap, and uploaded to
// the network by the outbox just before it records the send intent, which remembers the file's id (outbox.ts).
import { formatSize } from "../convert/matrix-media";
import type { Portal } from "../store/store";
import type { MatrixFile } from "./portal-content";
import type { Upload } from "./outbox";
import type { SessionContext } from "./session-context";

export type FileUpload = { kind: "upload"; upload: Upload } | { kind: "refuse"; notice: string; reason: string };

/**
 * Reads the file from the homeserver and returns the outbox's upload of it to the portal's room; a refusal (with the
 * notice for the sender) when it is over the cap or the homeserver does not have it or will not give it. Throws
 * when the homeserver is out (unreachable, a 5xx or 429: the caller waits it out).
 */
export async function uploadFor(ctx: SessionContext, row: Portal, file: MatrixFile): Promise<FileUpload> {
  const read = await ctx.media.readFile(file.mxc);
  if (!read.ok && read.reason === "too_large") {
    return { kind: "refuse", reason: "file_too_large", notice: `the file is larger than the bridge passes (at most ${formatSize(ctx.media.maxBytes)}).` };
  }
  if (!read.ok && read.reason === "refused") {
    return { kind: "refuse", reason: "file_unreadable", notice: `the homeserver would not give the bridge its file (it answered ${read.status}).` };
  }
  if (!read.ok && read.reason === "origin_unreachable") {
    return { kind: "refuse", reason: "file_origin_unreachable", notice: "the homeserver could not fetch its file from the server that keeps it. Please send it again later." };
  }
  if (!read.ok) return { kind: "refuse", reason: "file_missing", notice: "the homeserver does not have its file." };
  const mimeType = file.mimetype ?? read.mimetype ?? "application/octet-stream";
  const upload = async () => [(await ctx.network.uploadFile(row.gitterRoomId, { name: file.fileName, mimeType, data: read.bytes })).id];
  return { kind: "upload", upload };
}
