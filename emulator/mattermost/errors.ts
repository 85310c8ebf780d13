// Errors as the server writes them: a model.AppError serialised to JSON with id, message, detailed_error,
// request_id and status_code. mattermost/mattermost server/public/model/utils.go AppError.ToJSON;
// server/channels/web/handlers.go ServeHTTP (the X-Request-ID header and request_id of every answer).
import type { NextFunction, Request, Response } from "express";
import { newId } from "./ids";

export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly id: string,
    message: string,
    public readonly detailed = "",
  ) {
    super(message);
  }
}

/** The generic errors most handlers answer with (server/channels/web/context.go). */
export const errors = {
  session: () => new AppError(401, "api.context.session_expired.app_error", "Invalid or expired session, please login again."),
  permissions: () => new AppError(403, "api.context.permissions.app_error", "You do not have the appropriate permissions."),
  badParam: (name: string) => new AppError(400, "api.context.invalid_param.app_error", `Invalid or missing ${name} in request body.`),
  badUrlParam: (name: string) =>
    new AppError(400, "api.context.invalid_url_param.app_error", `Invalid or missing ${name} parameter in request URL.`),
  notFound: (id: string, what: string) => new AppError(404, id, `Unable to find the existing ${what}.`),
};

/** Gives every request an X-Request-ID, as the server does; AppError bodies repeat it. */
export function requestId(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader("X-Request-ID", newId());
  res.setHeader("X-Version-Id", "10.5.0.emulator");
  next();
}

export function sendAppError(res: Response, err: AppError): void {
  const requestIdHeader = res.getHeader("X-Request-ID");
  res.status(err.status).json({
    id: err.id,
    message: err.message,
    detailed_error: err.detailed,
    request_id: typeof requestIdHeader === "string" ? requestIdHeader : "",
    status_code: err.status,
  });
}

/** Express error handler: AppError as the server writes it, a bad JSON body as api.context.invalid_body_param, anything else 500. */
export function appErrorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) return;
  if (err instanceof AppError) return sendAppError(res, err);
  const e = err as { type?: string; status?: number };
  if (e.type === "entity.parse.failed") {
    return sendAppError(res, new AppError(400, "api.context.invalid_body_param.app_error", "Invalid or missing body in request body."));
  }
  if (e.type === "entity.too.large") return sendAppError(res, new AppError(413, "api.context.request_body_too_large.app_error", "Request body too large."));
  sendAppError(res, new AppError(500, "app.emulator.internal", (err as Error).message ?? "internal error"));
}
