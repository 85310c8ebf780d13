// JSON of the emulator's records as the server sends them: passwords and file bytes never leave, posts carry
// their reactions and files in `metadata`. server/public/model/user.go Sanitize; server/channels/app/post_metadata.go
import type { MmState } from "./state";
import type { MmFile, MmPost, MmUser } from "./types";

export function userJson(u: MmUser): Record<string, unknown> {
  const { password: _password, ...rest } = u;
  return { ...rest, auth_service: "", locale: "en", position: "", timezone: { useAutomaticTimezone: "true" } };
}

export function fileJson(f: MmFile): Record<string, unknown> {
  const { data: _data, ...rest } = f;
  return { ...rest, has_preview_image: f.mime_type.startsWith("image/"), mini_preview: null };
}

export function postJson(state: MmState, p: MmPost): Record<string, unknown> {
  const reactions = state.reactionsOf(p.id);
  const files = p.file_ids.map((id) => state.files.get(id)).filter((f): f is MmFile => f !== undefined);
  const metadata: Record<string, unknown> = {};
  if (reactions.length) metadata.reactions = reactions;
  if (files.length) metadata.files = files.map(fileJson);
  const { file_ids, has_reactions, ...rest } = p;
  return {
    ...rest,
    ...(file_ids.length ? { file_ids } : {}),
    ...(has_reactions ? { has_reactions } : {}),
    reply_count: p.root_id ? 0 : replyCount(state, p.id),
    metadata,
  };
}

function replyCount(state: MmState, rootId: string): number {
  let n = 0;
  for (const p of state.posts.values()) if (p.root_id === rootId && !p.delete_at) n++;
  return n;
}
