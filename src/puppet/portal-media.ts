// Media across the bridge. Gitter -> Matrix: images a Gitter message shows from the web are copied to the
// homeserver (Matrix clients only load mxc:// images). Matrix -> Gitter: a shared file becomes a link to the bridge's
// public media route, recorded so that route serves it. Both respect the configured size cap.
import { fileNameOf, imageDimensions, type UploadedImage } from "../convert/images";
import { mediaPath, parseMxc } from "../convert/matrix-media";
import type { MatrixClient } from "../matrix/client";
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

/** A Matrix file read for upload, or why it was not. */
export type MatrixFileBytes = { ok: true; bytes: Uint8Array; mimetype: string | null } | { ok: false; reason: "too_large" | "missing" };

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
   * Reads `mxc` from the homeserver, within the size cap (stopping as soon as it is passed). Throws when the homeserver
   * cannot be reached or answers with an error other than 404, so the caller retries.
   */
  async readFile(mxc: string): Promise<MatrixFileBytes> {
    const parts = parseMxc(mxc);
    if (!parts || !this.deps.download) return { ok: false, reason: "missing" };
    const res = await this.deps.download(parts.serverName, parts.mediaId);
    if (!res.ok) {
      if (res.status === 404) return { ok: false, reason: "missing" };
      throw new Error(`the homeserver answered ${res.status} for a file`);
    }
    if (res.contentLength !== null && res.contentLength > this.deps.maxBytes) {
      res.body.destroy();
      return { ok: false, reason: "too_large" };
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > this.deps.maxBytes) {
        res.body.destroy();
        return { ok: false, reason: "too_large" };
      }
      chunks.push(chunk);
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
