// Files: POST /files (multipart: channel_id and one or more `files` parts, optional client_ids), GET /files/{id},
// GET /files/{id}/info. A file joins a post through the post's file_ids.
// mattermost/mattermost server/channels/api4/file.go uploadFileMultipart, getFile, getFileInfo; server/channels/web/handlers.go WriteFileResponse
import express, { Router, type Request } from "express";
import { idParam, writableChannel, readableChannel } from "./access";
import { me } from "./auth";
import { AppError, errors } from "./errors";
import { newId } from "./ids";
import { fileJson } from "./serialize";
import type { MmState } from "./state";
import type { MmFile } from "./types";

/** FileSettings.MaxFileSize default: 100 MiB (server/public/model/config.go). */
const MAX_FILE_SIZE = 100 * 1024 * 1024;

async function formOf(req: Request): Promise<FormData> {
  const body = req.body instanceof Buffer ? req.body : Buffer.alloc(0);
  const ct = req.headers["content-type"] ?? "";
  if (!/^multipart\/form-data/i.test(ct)) throw new AppError(400, "api.file.upload_file.incorrect_content_type.app_error", "Invalid Content-Type.");
  try {
    return await new Request("http://emulator/", { method: "POST", headers: { "content-type": ct }, body }).formData();
  } catch {
    throw new AppError(400, "api.file.upload_file.read_request.app_error", "Unable to read the request body.");
  }
}

export function fileRoutes(r: Router, state: MmState): void {
  r.post("/files", express.raw({ type: () => true, limit: MAX_FILE_SIZE + 1024 * 1024 }), async (req, res) => {
    const form = await formOf(req);
    const channelId = String(form.get("channel_id") ?? req.query.channel_id ?? "");
    const c = writableChannel(state, me(res), channelId);
    const parts = form.getAll("files").filter((p): p is File => typeof p !== "string");
    if (parts.length === 0) throw new AppError(400, "api.file.upload_file.no_files.app_error", "No files in the request.");
    const infos: MmFile[] = [];
    for (const part of parts) {
      if (part.size > MAX_FILE_SIZE) throw new AppError(413, "api.file.upload_file.too_large_detailed.app_error", "Unable to upload file. File is too large.");
      const now = state.tick();
      const name = part.name || "file";
      const f: MmFile = {
        id: newId(), user_id: me(res), channel_id: c.id, post_id: "", name, extension: /\.([^.]+)$/.exec(name)?.[1]?.toLowerCase() ?? "",
        size: part.size, mime_type: part.type || "application/octet-stream", create_at: now, update_at: now, delete_at: 0,
        data: Buffer.from(await part.arrayBuffer()),
      };
      state.files.set(f.id, f);
      infos.push(f);
    }
    res.status(201).json({ file_infos: infos.map(fileJson), client_ids: form.getAll("client_ids").map(String) });
  });
  r.get("/files/:file_id", (req, res) => {
    const f = visibleFile(state, me(res), req.params.file_id);
    const inline = /^(image|video|audio)\//.test(f.mime_type);
    res.setHeader("Content-Type", f.mime_type);
    res.setHeader("Content-Disposition", `${inline ? "inline" : "attachment"};filename="${f.name.replace(/"/g, "")}"`);
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.end(f.data);
  });
  r.get("/files/:file_id/info", (req, res) => {
    res.json(fileJson(visibleFile(state, me(res), req.params.file_id)));
  });
}

/** The uploader sees a file; once it is on a post, whoever can read the post's channel does. api4/file.go getFile */
function visibleFile(state: MmState, userId: string, id: unknown): MmFile {
  const f = state.files.get(idParam(id, "file_id"));
  if (!f || f.delete_at) throw errors.notFound("app.file_info.get.app_error", "file");
  if (f.user_id === userId) return f;
  if (!f.post_id) throw errors.permissions();
  readableChannel(state, userId, f.channel_id);
  return f;
}
