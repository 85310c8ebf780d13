// /v1/user (current user, user search) and /v1/users/:username (profiles).
import { Router } from "express";
import { currentUserJson } from "../serialize";
import type { EmulatorState } from "../state";
import { ApiError, type EmUser } from "../types";
import { caller, ownUser, page, strParam } from "./common";

function matches(user: EmUser, term: string): boolean {
  const t = term.toLowerCase();
  return user.username.toLowerCase().includes(t) || user.displayName.toLowerCase().includes(t);
}

export function usersRouter(state: EmulatorState): Router {
  const r = Router({ caseSensitive: true });

  r.get("/user", (req, res) => {
    const q = strParam(req.query.q);
    if (q === undefined) {
      // Gitter answers with an array holding the one current user.
      res.json([currentUserJson(state, caller(res).user)]);
      return;
    }
    const found = state.allUsers().filter((u) => matches(u, q));
    res.json({ results: page(found, req.query, 10, 100).map((u) => state.serializeUser(u)) });
  });

  r.get("/user/:userId", (req, res) => {
    res.json(currentUserJson(state, ownUser(req, res)));
  });

  r.get("/users/:username", (req, res) => {
    const user = state.findUserByName(req.params.username);
    if (!user) throw new ApiError(404, "Not Found");
    res.json({ ...state.serializeUser(user), has_gitter_login: true });
  });

  return r;
}
