// Startup checks that the homeserver holds the same registration as the bridge. The registration file exists
// twice (the bridge's and the homeserver's copy); when an operator regenerates one and not the other, the tokens
// differ and every event would be refused in silence. Both directions are checked before the bridge reports
// itself started: our as_token (the homeserver must accept it) and its hs_token (we must accept it, seen
// through the homeserver's ping of our /_matrix/app/v1/ping).
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

/**
 * Asks the homeserver to ping the bridge (spec v1.7). Throws RegistrationMismatchError when the homeserver's
 * hs_token or appservice id differs from ours. Other failures (an older homeserver, or one that cannot reach
 * the bridge at the registration's url yet) are only warned about: they do not prove a mismatch.
 */
export async function checkHomeserverPing(matrix: MatrixClient, appserviceId: string, file: string): Promise<void> {
  try {
    const { durationMs } = await matrix.ping(appserviceId);
    log.info("the homeserver reached the bridge", { durationMs });
  } catch (err) {
    // M_BAD_STATUS: it reached us and we refused it, so its hs_token is not ours (our ping answers 200 otherwise).
    if (isMatrixError(err, "M_BAD_STATUS")) throw new RegistrationMismatchError(file, "the bridge refused the homeserver's hs_token");
    if (isMatrixError(err, "M_FORBIDDEN")) throw new RegistrationMismatchError(file, `its id "${appserviceId}" is not the homeserver's`);
    log.warn("could not check the registration with the homeserver's ping", { error: err as Error });
  }
}
