// Startup checks that the homeserver holds the same registration as the bridge. The registration file exists
// twice (the bridge's and the homeserver's copy); when an operator regenerates one and not the other, the tokens
// differ and every event would be refused in silence. Both directions are checked before the bridge reports
// itself started: our as_token (the homeserver must accept it) and its hs_token (we must accept it, seen
// through the homeserver's ping of our /_matrix/app/v1/ping).
import { backoffDelay, type BackoffPolicy } from "../util/backoff";
import { getLogger } from "../util/log";
import { isMatrixError, type MatrixClient } from "./client";

const log = getLogger("homeserver-check");

/** The homeserver's registration and ours disagree; the operator must give it the same file. Never holds a token. */
export class RegistrationMismatchError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(
      `${file} does not match the homeserver's copy of the registration: ${problem}. Give the homeserver this ` +
        "file (app_service_config_files in Synapse's homeserver.yaml) and restart it.",
    );
    this.name = "RegistrationMismatchError";
  }
}

/** Turns the homeserver refusing our as_token into a RegistrationMismatchError; rethrows anything else. */
export function explainTokenRefusal(err: unknown, file: string): never {
  if (isMatrixError(err, "M_UNKNOWN_TOKEN")) throw new RegistrationMismatchError(file, "the homeserver does not accept its as_token");
  throw err;
}

/** Waits between background pings: 1 s doubling to 30 s, jittered. */
export const PING_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000 };

/**
 * Asks the homeserver to ping the bridge (spec v1.7). Besides checking the registration, a ping that gets through
 * makes a homeserver that found us down send the transactions it held back at once (Synapse otherwise waits its
 * own backoff, up to minutes). Throws RegistrationMismatchError when the first answer shows that the homeserver's
 * hs_token or appservice id differs from ours. Other failures are warned about; when they may pass (a 5xx: Synapse
 * answers 502 while it starts; no answer; 429), the ping is repeated in the background with `backoff` until it
 * gets through, shows it cannot (a 4xx, e.g. a homeserver without the endpoint) or `signal` is aborted (a ping
 * already asked is not waited for). Resolves after the first attempt.
 */
export async function pingHomeserver(
  matrix: MatrixClient,
  appserviceId: string,
  file: string,
  signal: AbortSignal,
  backoff: BackoffPolicy = PING_BACKOFF,
): Promise<void> {
  if ((await pingOnce(matrix, appserviceId, file)) !== "retry") return;
  void pingAgain(matrix, appserviceId, file, signal, backoff).catch((err: Error) =>
    // Too late to refuse to start; the operator must still learn why nothing arrives.
    log.error("the homeserver's ping shows its registration differs from ours", { error: err }),
  );
}

async function pingAgain(matrix: MatrixClient, appserviceId: string, file: string, signal: AbortSignal, backoff: BackoffPolicy): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const delayMs = backoffDelay(attempt, backoff);
    log.info("will ask the homeserver to ping the bridge again", { attempt, delayMs });
    if (!(await sleepUnlessAborted(delayMs, signal))) return;
    if ((await pingOnce(matrix, appserviceId, file)) !== "retry") return;
  }
}

/** One ping: "done" when it got through or cannot, "retry" when it may get through later. May throw a mismatch. */
async function pingOnce(matrix: MatrixClient, appserviceId: string, file: string): Promise<"done" | "retry"> {
  try {
    const { durationMs } = await matrix.ping(appserviceId);
    log.info("the homeserver reached the bridge", { durationMs });
    return "done";
  } catch (err) {
    // M_BAD_STATUS: it reached us and we refused it, so its hs_token is not ours (our ping answers 200 otherwise).
    if (isMatrixError(err, "M_BAD_STATUS")) throw new RegistrationMismatchError(file, "the bridge refused the homeserver's hs_token");
    if (isMatrixError(err, "M_FORBIDDEN")) throw new RegistrationMismatchError(file, `its id "${appserviceId}" is not the homeserver's`);
    log.warn("could not check the registration with the homeserver's ping", { error: err as Error });
    return mayPass(err) ? "retry" : "done";
  }
}

/** No answer, a 5xx or a 429: the homeserver may answer the next ping. A 4xx (an older homeserver) will not change. */
function mayPass(err: unknown): boolean {
  if (!isMatrixError(err)) return false;
  return err.status === 0 || err.status === 429 || err.status >= 500;
}

/** Resolves true after `ms`, or false as soon as `signal` is aborted. */
function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (slept: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", aborted);
      resolve(slept);
    };
    const aborted = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener("abort", aborted, { once: true });
  });
}
