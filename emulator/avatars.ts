// Generated avatars: an SVG square in the user's colour with their initial. Unknown names (e.g. a room's org)
// still get an image, in a colour derived from the name, as a real avatar service would serve a default.
import { Router, type Request } from "express";
import type { EmulatorState } from "./state";

function hashColour(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `hsl(${h % 360}, 55%, 45%)`;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function avatarSvg(name: string, colour: string, size: number): string {
  const initial = escapeXml((name.match(/[A-Za-z0-9]/)?.[0] ?? "?").toUpperCase());
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 128 128" role="img" aria-label="${escapeXml(name)}">` +
    `<rect width="128" height="128" fill="${escapeXml(colour)}"/>` +
    `<text x="64" y="64" dy="0.35em" text-anchor="middle" font-family="sans-serif" font-size="64" fill="#ffffff">${initial}</text></svg>`
  );
}

export function avatarRouter(state: EmulatorState): Router {
  const r = Router({ caseSensitive: true });
  // `uv/<version>` changes with the avatar, so a cached copy is never mistaken for the new one.
  r.get(["/avatars/:name", "/avatars/uv/:version/:name"], (req: Request<{ name: string }>, res) => {
    const name = req.params.name;
    const user = state.findUserByName(name);
    const size = Math.min(Math.max(parseInt(String(req.query.s ?? "128"), 10) || 128, 16), 512);
    res.setHeader("Content-Type", "image/svg+xml");
    res.setHeader("Cache-Control", "public, max-age=3600");
    res.send(avatarSvg(user?.displayName ?? name, user?.avatarColor ?? hashColour(name), size));
  });
  return r;
}
