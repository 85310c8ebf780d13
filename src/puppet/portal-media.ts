// Media across the bridge. Gitter -> Matrix: images a Gitter message shows from the web are copied to the
// homeserver (Matrix clients only load mxc:// images). Matrix -> Gitter: a shared file becomes a link to the bridge's
// public media route, recorded so that route serves it. Both respect the configured size cap.
import { fileNameOf, imageDimensions, type UploadedImage } from "../convert/images";
import { mediaPath, parseMxc } from "../convert/matrix-media";
import type { MatrixClient } from "../matrix/client";
import { CONNECTION_FAILED, MatrixApiError } from "../matrix/errors";
import type { MediaDownload } from "../matrix/media";
import type { MediaStore } from "../store/store";
import { getLogger } from "../util/log";
import { fetchRemoteImage } from "../util/remote-image";

const log = getLogger("media");

/** Copies remembered per process, so an image posted again is not uploaded again. */
const COPY_MEMORY = 500;
const FETCH_TIMEOUT_MS = 15_000;

export interface MediaBridgeDeps {
  matrix: MatrixClient;
  store: MediaStore;
  /** The bridge's public base URL (config web.publicUrl), without a trailing slash. */
  publicUrl: string;
  /** Largest file passed either way, in bytes (config media.maxBytes). */
  maxBytes: number;
  /** Hosts whose images are fetched even from private addresses: the configured Gitter hosts. */
  trustedHosts: ReadonlySet<string>;
  /** Reads a file from the homeserver as the appservice (src/matrix/media.ts downloadMedia); absent: none is read. */
  download?: (serverName: string, mediaId: string) => Promise<MediaDownload>;
}

/**
 * A Matrix file read for upload, or why it was not: over the cap, not on the homeserver, not fetched by it from the
 * file's own server, or refused by it for good (`status`: its answer, e.g. 403).
 */
export type MatrixFileBytes =
  | { ok: true; bytes: Uint8Array; mimetype: string | null }
  | { ok: false; reason: "too_large" | "missing" | "origin_unreachable" }
  | { ok: false; reason: "refused"; status: number };

/** Where a shared file's link was posted from, and by whom: what a redaction or a logout withdraws. */
export interface ShareOrigin {
  matrixRoomId: string;
  /** The event whose content links the file (a message, or an edit of one). */
  eventId: string;
  /** The message that event belongs to (itself, or the edited message). */
  messageEventId: string;
  /** The portal owner. */
  mxid: string;
}

export class MediaBridge {
  private readonly copies = new Map<string, UploadedImage>();

  constructor(private readonly deps: MediaBridgeDeps) {}

  get maxBytes(): number {
    return this.deps.maxBytes;
  }

  /**
   * Fetches a web image and uploads it to the homeserver as `uploader`. Null when the URL is not an image, is over
   * the cap, or cannot be fetched or uploaded (the message then links to it instead). Never throws.
   */
  async copyImage(url: string, uploader: string): Promise<UploadedImage | null> {
    const known = this.copies.get(url);
    if (known) return known;
    try {
      const { bytes, mimetype } = await this.fetchImage(url);
      const mxc = await this.deps.matrix.as(uploader).uploadMedia(bytes, mimetype, fileNameOf(url));
      const copy: UploadedImage = { mxc, mimetype, size: bytes.byteLength, ...(imageDimensions(bytes) ?? {}) };
      this.remember(url, copy);
      return copy;
    } catch (err) {
      log.info("image not copied to Matrix; it stays a link", { url, error: err as Error });
      return null;
    }
  }

  /**
   * Records `mxc` as shared by `origin` and returns the public URL Gitter readers open it at; null for an mxc
   * outside the grammar (src/matrix/mxc.ts), which is neither recorded nor ever fetched. May throw (database
   * unreachable).
   */
  async shareLink(mxc: string, fileName: string, mimetype: string | null, origin: ShareOrigin): Promise<string | null> {
    const parts = parseMxc(mxc);
    if (!parts) return null;
    const { matrixRoomId, eventId: matrixEventId, messageEventId, mxid } = origin;
    await this.deps.store.recordMedia({ ...parts, filename: fileName, mimetype, matrixRoomId, matrixEventId, messageEventId, mxid, sharedAt: Date.now() });
    return `${this.deps.publicUrl}${mediaPath(parts, fileName)}`;
  }

  /**
   * Reads `mxc` from the homeserver, within the size cap (stopping as soon as it is passed). Throws a transient
   * MatrixApiError when the homeserver is out (no answer, a 5xx or 429, the file cut off midway), so the caller
   * waits it out; any other answer but the file is a reason it was not read.
   */
  async readFile(mxc: string): Promise<MatrixFileBytes> {
    const parts = parseMxc(mxc);
    if (!parts || !this.deps.download) return { ok: false, reason: "missing" };
    const res = await this.deps.download(parts.serverName, parts.mediaId);
    if (!res.ok) return notRead(res.status, res.errcode);
    if (res.contentLength !== null && res.contentLength > this.deps.maxBytes) {
      res.body.destroy();
      return { ok: false, reason: "too_large" };
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.byteLength;
        if (size > this.deps.maxBytes) {
          res.body.destroy();
          return { ok: false, reason: "too_large" };
        }
        chunks.push(chunk);
      }
    } catch (err) {
      log.warn("the homeserver's answer with a file was cut off", { serverName: parts.serverName, mediaId: parts.mediaId, error: err as Error });
      throw downloadFailure(0);
    }
    return { ok: true, bytes: new Uint8Array(Buffer.concat(chunks)), mimetype: res.contentType };
  }

  private fetchImage(url: string): Promise<{ bytes: Uint8Array; mimetype: string }> {
    return fetchRemoteImage(url, { maxBytes: this.deps.maxBytes, timeoutMs: FETCH_TIMEOUT_MS, trustedHosts: this.deps.trustedHosts });
  }

  private remember(url: string, copy: UploadedImage): void {
    this.copies.set(url, copy);
    if (this.copies.size > COPY_MEMORY) this.copies.delete(this.copies.keys().next().value as string);
  }
}

/**
 * Why a file was not read, from the homeserver's answer; an outage is thrown (see readFile). A 502 the homeserver
 * itself answers (with a Matrix errcode) says the file's server failed it: Synapse answers so for remote media
 * it could not fetch (synapse/media/media_repository.py), for as long as that server is gone, so it is told rather
 * than waited for, which could hold the room's later messages back for good.
 */
function notRead(status: number, errcode: string | undefined): MatrixFileBytes {
  if (status === 404) return { ok: false, reason: "missing" };
  if (status === 413) return { ok: false, reason: "too_large" };
  if (status === 502 && errcode !== undefined) return { ok: false, reason: "origin_unreachable" };
  const failure = downloadFailure(status);
  if (failure.transient) throw failure;
  return { ok: false, reason: "refused", status };
}

/** `status` 0: no answer, or an answer cut off. */
function downloadFailure(status: number): MatrixApiError {
  return new MatrixApiError({ errcode: status === 0 ? CONNECTION_FAILED : "M_UNKNOWN", status, method: "GET", path: "/_matrix/client/v1/media/download" });
}
