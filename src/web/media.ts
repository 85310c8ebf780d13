// The public media route: Gitter readers open files that Matrix users shared at
// `<publicUrl>/media/<server>/<mediaId>/<filename>`, which the bridge fetches from the homeserver and streams back.
// Only media the bridge itself linked to from Gitter is served (the shared-media record), so this is never an open
// proxy onto the homeserver's repository, and nothing larger than the media size cap passes.
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
  const download = await deps.download(server, mediaId);
  if (!download.ok) return plain(res, download.status === 404 ? 404 : 502, download.status === 404 ? "Not found" : "The homeserver did not answer");
  if (download.contentLength !== null && download.contentLength > deps.maxBytes) {
    download.body.destroy();
    return plain(res, 413, "This file is larger than the bridge passes on");
  }
  const type = (download.contentType ?? record.mimetype ?? "application/octet-stream").split(";")[0]!.trim().toLowerCase();
  const inline = INLINE_TYPES.test(type);
  res.status(200).set({
    "Content-Type": inline ? type : "application/octet-stream",
    "Content-Disposition": `${inline ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(record.filename)}`,
    "X-Content-Type-Options": "nosniff",
    // Even a file a browser renders can run nothing and reach nothing on the bridge's origin.
    "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; media-src 'self'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "public, max-age=86400",
  });
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
