// Reading media from the homeserver's repository as the appservice, for the bridge's public media route. The body is
// handed back as a stream, not parsed, so large files never sit in memory. The as_token goes only into the
// Authorization header and is never logged.
import { Readable } from "node:stream";
import { isMediaId, isServerName } from "./mxc";

export interface MediaSource {
  homeserverUrl: string;
  asToken: string;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
}

export type MediaDownload =
  | { ok: true; body: Readable; contentType: string | null; contentLength: number | null }
  /**
   * `status`: the homeserver's answer, or 502 when none came (unreachable, timed out); `errcode`: the Matrix error
   * it answered with, when it did (a 502 with one is the homeserver's own word: the file's server failed it).
   */
  | { ok: false; status: number; errcode?: string };

/**
 * Fetches `mxc://serverName/mediaId`: the authenticated endpoint (spec v1.11) first, the legacy unauthenticated one
 * when the homeserver does not know it. Resolves `ok: false` with the homeserver's status for an answer that is not
 * a file (404 unknown media, 403, 5xx...), 502 when it did not answer; never throws. The caller must consume or
 * destroy `body`. A server
 * name or media id outside the mxc grammar is answered 404 without asking the homeserver.
 */
export async function downloadMedia(source: MediaSource, serverName: string, mediaId: string): Promise<MediaDownload> {
  if (!isServerName(serverName) || !isMediaId(mediaId)) return { ok: false, status: 404 };
  const path = `${encodeURIComponent(serverName)}/${encodeURIComponent(mediaId)}`;
  const first = await get(source, `/_matrix/client/v1/media/download/${path}`);
  const legacy = first instanceof Response && (first.status === 404 || first.status === 405) && (await isUnrecognized(first));
  const res = legacy ? await get(source, `/_matrix/media/v3/download/${path}`) : first;
  if (!(res instanceof Response)) return { ok: false, status: 502 };
  if (!res.ok || !res.body) {
    const errcode = res.ok ? undefined : await errcodeOf(res);
    await res.body?.cancel().catch(() => undefined);
    return { ok: false, status: res.ok ? 502 : res.status, ...(errcode ? { errcode } : {}) };
  }
  const length = Number(res.headers.get("content-length"));
  return {
    ok: true,
    body: Readable.fromWeb(res.body as Parameters<typeof Readable.fromWeb>[0]),
    contentType: res.headers.get("content-type"),
    contentLength: Number.isFinite(length) && res.headers.has("content-length") ? length : null,
  };
}

async function get(source: MediaSource, path: string): Promise<Response | Error> {
  try {
    return await fetch(`${source.homeserverUrl.replace(/\/+$/, "")}${path}`, {
      headers: { authorization: `Bearer ${source.asToken}` },
      redirect: "follow",
      signal: AbortSignal.timeout(source.timeoutMs ?? 60_000),
    });
  } catch (err) {
    return err as Error;
  }
}

/** A homeserver without authenticated media answers M_UNRECOGNIZED for its path (Synapse before 1.108). */
async function isUnrecognized(res: Response): Promise<boolean> {
  return (await errcodeOf(res)) === "M_UNRECOGNIZED";
}

/** The Matrix errcode of an error answer; undefined when it has none (not JSON, or its body was read already). */
async function errcodeOf(res: Response): Promise<string | undefined> {
  if (res.bodyUsed) return undefined;
  const body = (await res.json().catch(() => ({}))) as { errcode?: unknown };
  return typeof body.errcode === "string" ? body.errcode : undefined;
}
