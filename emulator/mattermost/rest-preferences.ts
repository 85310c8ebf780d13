// A user's preferences: GET and PUT /users/{user_id}/preferences, POST .../preferences/delete, and the by-category
// reads. Mattermost's clients close a direct or group channel with one (category `direct_channel_show`, name the
// other user's id; `group_channel_show`, name the channel id; value "false").
// mattermost/mattermost server/channels/api4/preference.go, server/channels/app/preference.go,
// server/public/model/preference.go, server/channels/store/sqlstore/preference_store.go
import { Router, type Request, type Response } from "express";
import { me, userParam } from "./auth";
import { AppError, errors } from "./errors";
import { isValidId } from "./ids";
import type { MmState } from "./state";
import type { MmPreference } from "./types";

/** server/channels/api4/preference.go maxUpdatePreferences */
const MAX_PER_REQUEST = 100;
/** The URL's {category} and {preference_name}: server/channels/api4/preference.go InitPreference */
const URL_WORD = /^[A-Za-z0-9_]+$/;

/** api4/preference.go: SessionHasPermissionToUser, which only one's own (or an admin) passes. */
function ownUser(req: Request, res: Response): string {
  const id = userParam(req, res);
  if (!isValidId(id)) throw errors.badUrlParam("user_id");
  if (id !== me(res)) throw errors.permissions();
  return id;
}

/** api4/preference.go updatePreferences: a JSON array of 1 to 100 preferences. */
function preferencesOf(body: unknown): MmPreference[] {
  if (!Array.isArray(body) || body.length === 0 || body.length > MAX_PER_REQUEST) throw errors.badParam("preferences");
  return body.map((p: unknown) => {
    const o = (typeof p === "object" && p !== null ? p : {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === "string" ? v : "");
    return { user_id: str(o.user_id), category: str(o.category), name: str(o.name), value: str(o.value) };
  });
}

/** app/preference.go UpdatePreferences and DeletePreferences: every preference must be the caller's (403). */
function checkOwner(prefs: MmPreference[], userId: string, errorId: string): void {
  if (prefs.some((p) => p.user_id !== userId)) throw new AppError(403, errorId, "Unable to set user preferences.");
}

/** model/preference.go Preference.IsValid, which the store's save runs on each (400). */
function checkValid(p: MmPreference): void {
  const bad = (what: string) => new AppError(400, `model.preference.is_valid.${what}.app_error`, `Invalid ${what}.`);
  if (!isValidId(p.user_id)) throw bad("id");
  if (p.category === "" || p.category.length > 32) throw bad("category");
  if (p.name.length > 32) throw bad("name");
  if ([...p.value].length > 2000) throw bad("value");
}

export function preferenceRoutes(r: Router, state: MmState): void {
  r.get("/users/:user_id/preferences", (req, res) => {
    res.json(state.preferencesOf(ownUser(req, res)));
  });
  // app/preference.go GetPreferenceByCategoryForUser: none in the category is a 404.
  r.get("/users/:user_id/preferences/:category", (req, res) => {
    const uid = ownUser(req, res);
    const category = String(req.params.category);
    if (!URL_WORD.test(category)) throw errors.badUrlParam("category");
    const found = state.preferencesOf(uid).filter((p) => p.category === category);
    if (found.length === 0) throw errors.notFound("api.preference.preferences_category.get.app_error", "preferences");
    res.json(found);
  });
  r.put("/users/:user_id/preferences", (req, res) => {
    const uid = ownUser(req, res);
    const prefs = preferencesOf(req.body);
    checkOwner(prefs, uid, "api.preference.update_preferences.set.app_error");
    // preference_store.go Save: one transaction, so one invalid preference saves none.
    prefs.forEach(checkValid);
    state.savePreferences(uid, prefs);
    res.json({ status: "OK" });
  });
  r.post("/users/:user_id/preferences/delete", (req, res) => {
    const uid = ownUser(req, res);
    const prefs = preferencesOf(req.body);
    checkOwner(prefs, uid, "api.preference.delete_preferences.delete.app_error");
    state.deletePreferences(uid, prefs);
    res.json({ status: "OK" });
  });
}
