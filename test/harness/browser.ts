// Headless Chromium for tests that need a real browser (OAuth consent pages). Each launch gets a fresh
// profile folder that is removed on close, so no cookie or session leaks from one test to the next.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface BrowserHandle {
  context: BrowserContext;
  /** A new tab in the same profile. */
  newPage(): Promise<Page>;
  /** Closes Chromium and removes its profile folder. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts headless Chromium with a throwaway profile. Rejects if Chromium cannot start. */
export async function launchBrowser(options: { timeoutMs?: number } = {}): Promise<BrowserHandle> {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), "gitter-bridge-chromium-"));
  let context: BrowserContext;
  try {
    // Playwright refuses --user-data-dir in args; a persistent context is how it takes a profile folder.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: options.timeoutMs ?? 30_000,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  let closed = false;
  return {
    context,
    newPage: () => context.newPage(),
    close: async () => {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
