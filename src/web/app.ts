// The bridge's public web server: the login link and its confirmation, the network's OAuth callback, and health
// probes. It only translates HTTP to LoginService calls and results to pages, which name the bridge's network.
import express, { type NextFunction, type Request, type Response } from "express";
import type { LoginService } from "../puppet/login";
import { getLogger } from "../util/log";
import { codePage, confirmAccountPage, errorPage, notFoundPage, requestErrorPage, type Page } from "./pages";

const log = getLogger("web");

export interface WebDeps {
  login: LoginService;
  /** The network the pages name ("Gitter", "Mattermost"): the connector's display name. */
  networkName: string;
  /** Extra probes (e.g. readiness, metrics) mounted by the composition root. */
  extend?: (app: express.Express) => void;
}

function send(res: Response, page: Page): void {
  res
    .status(page.status)
    .set("Content-Type", "text/html; charset=utf-8")
    .set("Cache-Control", "no-store")
    .set("Referrer-Policy", "no-referrer")
    .set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
    .send(page.html);
}

function queryString(req: Request, key: string): string | undefined {
  const v = req.query[key];
  return typeof v === "string" && v.length > 0 && v.length < 2048 ? v : undefined;
}

export function createWebApp(deps: WebDeps): express.Express {
  const net = deps.networkName;
  const app = express();
  app.disable("x-powered-by");

  app.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });

  // The link names its Matrix account and waits for a click: a browser never goes to the network unasked.
  app.get("/login", (req, res) => {
    const state = queryString(req, "state");
    if (!state) return send(res, errorPage(net, "missing-state"));
    checked(res, net, deps.login.checkLink(state), (mxid) => send(res, confirmAccountPage(net, mxid, state)));
  });

  app.post("/login", express.urlencoded({ extended: false, limit: "4kb" }), (req, res) => {
    const raw: unknown = (req.body as Record<string, unknown> | undefined)?.state;
    const state = typeof raw === "string" && raw.length > 0 && raw.length < 2048 ? raw : undefined;
    if (!state) return send(res, errorPage(net, "missing-state"));
    checked(res, net, deps.login.checkLink(state), () => res.set("Cache-Control", "no-store").redirect(303, deps.login.authorizeUrl(state)));
  });

  app.get("/oauth/callback", (req, res) => {
    const query = {
      state: queryString(req, "state"),
      code: queryString(req, "code"),
      error: queryString(req, "error"),
    };
    deps.login.complete(query).then(
      (r) => send(res, r.ok ? codePage(net, { mxid: r.mxid, gitterUsername: r.gitterUsername, code: r.code, botMxid: deps.login.botMxid }) : errorPage(net, r.error)),
      (err: Error) => {
        log.error("login callback failed", { error: err });
        send(res, errorPage(net, "internal"));
      },
    );
  });

  deps.extend?.(app);
  app.use((_req, res) => send(res, notFoundPage(net)));
  app.use(requestErrors(net));
  return app;
}

/** Runs `then` for a usable login link; a used, expired or unknown one gets its error page. */
function checked(res: Response, net: string, check: ReturnType<LoginService["checkLink"]>, then: (mxid: string) => void): void {
  check.then(
    (c) => (c.ok ? then(c.mxid) : send(res, errorPage(net, c.error))),
    (err: Error) => {
      log.error("login link check failed", { error: err });
      send(res, errorPage(net, "internal"));
    },
  );
}

/**
 * What reaches here was thrown by express itself or a route. One with a 4xx `status` is the request's fault (a path
 * whose %-escapes do not decode, say) and gets a 4xx page; anything else is logged and gets the internal error
 * page. Either way no stack trace reaches the browser (express's own handler would show one).
 */
function requestErrors(net: string) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    const status = (err as { status?: unknown }).status;
    if (res.headersSent) return next(err);
    if (typeof status === "number" && status >= 400 && status < 500) return send(res, requestErrorPage(net, status));
    // `req.path` carries no query string, so no login state reaches the log.
    log.error("web request failed", { method: req.method, path: req.path, error: err as Error });
    send(res, requestErrorPage(net, 500));
  };
}
