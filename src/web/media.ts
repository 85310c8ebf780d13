// The public media route: the network's readers open files that Matrix users shared at
// `<publicUrl>/media/<server>/<mediaId>/<filename>`, which the bridge fetches from the homeserver and streams back.
// Only media the bridge itself linked to from the network is served (a share left in the store), so this is never an
// open proxy onto the homeserver's repository, and nothing larger than the media size cap passes. A share is withdrawn
// when its message is redacted or its sharer logs out; so that the withdrawal holds at once, no shared cache may
// keep a copy and a browser asks again at every view (`private, no-cache`), which while the file is still shared
// costs a database lookup and a 304, never a homeserver download.
import { Transform, pipeline, type TransformCallback } from "node:stream";
import { Router, type Request, type Response } from "express";
import type { MediaDownload } from "../matrix/media";
import { isMediaId, isServerName } from "../matrix/mxc";
import type { SharedMedia } from "../store/store";
import { getLogger } from "../util/log";

const log = getLogger("web.media");

export interface MediaRouteDeps {
  /** The shared-media record, or null when the bridge never linked this media. May reject (database down). */
  lookup(serverName: string, mediaId: string): Promise<SharedMedia | null>;
  /** The file from the homeserver; never rejects. */
  download(serverName: string, mediaId: string): Promise<MediaDownload>;
  /** Largest file served, in bytes (config media.maxBytes). */
  maxBytes: number;
}

/** Kept by the browser alone, and checked with the bridge before each use: see the top of this file. */
const CACHE_CONTROL = "private, no-cache";
/** Types a browser may show in place. Anything else (HTML, SVG, scripts) is offered as a download only. */
const INLINE_TYPES = /^(image\/(png|jpeg|gif|webp)|video\/(mp4|webm|ogg)|audio\/(mpeg|ogg|wav|webm|mp4|aac|flac))$/;

export function mediaRouter(deps: MediaRouteDeps): Router {
  const router = Router();
  router.get("/media/:server/:mediaId/:filename", (req, res) => {
    serve(deps, req, res).catch((err: Error) => {
      log.error("serving shared media failed", { server: req.params.server, media: req.params.mediaId, error: err });
      if (!res.headersSent) plain(res, 500, "Internal error");
      else res.destroy();
    });
  });
  return router;
}

async function serve(deps: MediaRouteDeps, req: Request, res: Response): Promise<void> {
  const { server, mediaId } = req.params as { server: string; mediaId: string };
  if (!isServerName(server) || !isMediaId(mediaId)) return plain(res, 404, "Not found");
  const record = await deps.lookup(server, mediaId);
  if (!record) return plain(res, 404, "Not found");
  // An mxc never changes its bytes, so its name is a strong validator.
  const etag = `"${server}/${mediaId}"`;
  if (matches(req.headers["if-none-match"], etag)) {
    res.status(304).set({ ETag: etag, "Cache-Control": CACHE_CONTROL }).end();
    return;
  }
  const download = await deps.download(server, mediaId);
  if (!download.ok) return plain(res, download.status === 404 ? 404 : 502, download.status === 404 ? "Not found" : "The homeserver did not answer");
  if (download.contentLength !== null && download.contentLength > deps.maxBytes) {
    download.body.destroy();
    return plain(res, 413, "This file is larger than the bridge passes on");
  }
  res.status(200).set(fileHeaders(download.contentType ?? record.mimetype, record.filename, etag));
  if (download.contentLength !== null) res.set("Content-Length", String(download.contentLength));
  if (req.method === "HEAD") {
    download.body.destroy();
    res.end();
    return;
  }
  pipeline(download.body, new SizeCap(deps.maxBytes), res, (err) => {
    if (err) log.warn("shared media stream ended early", { server, media: mediaId, error: err.message });
  });
}

/** Whether an If-None-Match header names `etag` (weak or strong). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  return ifNoneMatch?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag) ?? false;
}

function fileHeaders(contentType: string | null, filename: string, etag: string): Record<string, string> {
  const type = (contentType ?? "application/octet-stream").split(";")[0]!.trim().toLowerCase();
  const inline = INLINE_TYPES.test(type);
  return {
    "Content-Type": inline ? type : "application/octet-stream",
    "Content-Disposition": `${inline ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(filename)}`,
    "X-Content-Type-Options": "nosniff",
    // Even a file a browser renders can run nothing and reach nothing on the bridge's origin.
    "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; media-src 'self'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": CACHE_CONTROL,
    ETag: etag,
  };
}

/** Passes bytes through until more than `max` went by, then fails the stream (the response is cut short). */
class SizeCap extends Transform {
  private seen = 0;

  constructor(private readonly max: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) done(new Error(`more than ${this.max} bytes`));
    else done(null, chunk);
  }
}

function plain(res: Response, status: number, text: string): void {
  res.status(status).set({ "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" }).send(text);
}
