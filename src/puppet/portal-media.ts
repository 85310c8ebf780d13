// Media across the bridge. Gitter -> Matrix: images a Gitter message shows from the web are copied to the
// homeserver (Matrix clients only load mxc:// images). Matrix -> Gitter: a shared file becomes a link to the bridge's
// public media route, recorded so that route serves it. Both respect the configured size cap.
import { fileNameOf, imageDimensions, type UploadedImage } from "../convert/gitter-images";
import { mediaPath, parseMxc } from "../convert/matrix-media";
import type { MatrixClient } from "../matrix/client";
import type { MediaStore } from "../store/store";
import { getLogger } from "../util/log";

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
   * Records `mxc` as shared from `matrixRoomId` and returns the public URL Gitter readers open it at; null for a
   * malformed mxc. May throw (database unreachable).
   */
  async shareLink(mxc: string, fileName: string, mimetype: string | null, matrixRoomId: string): Promise<string | null> {
    const parts = parseMxc(mxc);
    if (!parts) return null;
    await this.deps.store.recordMedia({ ...parts, filename: fileName, mimetype, matrixRoomId, sharedAt: Date.now() });
    return `${this.deps.publicUrl}${mediaPath(parts, fileName)}`;
  }

  private async fetchImage(url: string): Promise<{ bytes: Uint8Array; mimetype: string }> {
    const res = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    const mimetype = (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (!res.ok || !mimetype.startsWith("image/")) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`status ${res.status}, type ${mimetype || "none"}`);
    }
    const declared = Number(res.headers.get("content-length"));
    if (Number.isFinite(declared) && declared > this.deps.maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`${declared} bytes is over the cap of ${this.deps.maxBytes}`);
    }
    return { bytes: await readCapped(res, this.deps.maxBytes), mimetype };
  }

  private remember(url: string, copy: UploadedImage): void {
    this.copies.set(url, copy);
    if (this.copies.size > COPY_MEMORY) this.copies.delete(this.copies.keys().next().value as string);
  }
}

/** Reads a body, giving up as soon as it passes `max` bytes (a missing or false Content-Length must not fool us). */
async function readCapped(res: Response, max: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`more than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
