// The bridge's state on disk is for the bridge's user alone: the SQLite database holds pending login states,
// sealed tokens and who said what where. New folders are made 0700 and the database file 0600; SQLite gives the
// files it adds beside the database (-wal, -shm, -journal) the database file's own mode, so making that one 0600
// before SQLite opens it covers them all, whatever the umask. What already exists is the operator's choice and is
// not changed; a folder or database that group or others can read is reported, with the command that fixes it.
import { closeSync, mkdirSync, openSync, statSync } from "node:fs";
import path from "node:path";
import { getLogger } from "../util/log";

const log = getLogger("store.files");

/** The mode as four octal digits when group or others have any access to it, else null. */
export function looseMode(mode: number): string | null {
  return (mode & 0o077) === 0 ? null : (mode & 0o777).toString(8).padStart(4, "0");
}

/**
 * Creates `dir` and any missing parents with mode 0700. An existing folder is left alone, with a warning when
 * group or others may read or enter it. May throw (no permission, a file in the way).
 */
export function ensurePrivateDir(dir: string): void {
  const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined) return;
  const loose = looseMode(statSync(dir).mode);
  if (loose) {
    log.warn("the data folder is open to other local users; the bridge keeps login states and sealed tokens there", {
      folder: dir,
      mode: loose,
      fix: `chmod 700 ${dir}`,
    });
  }
}

/**
 * Creates the SQLite database file empty with mode 0600 unless it exists (SQLite then opens it as a new database,
 * and makes its -wal, -shm and -journal files with the same mode). An existing file is left alone, with a warning
 * when group or others may read it. Makes the folder with ensurePrivateDir first. May throw.
 */
export function preparePrivateDatabase(file: string): void {
  ensurePrivateDir(path.dirname(file));
  try {
    closeSync(openSync(file, "wx", 0o600));
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const loose = looseMode(statSync(file).mode);
  if (loose) {
    log.warn("the database file is readable by other local users (SQLite gives its -wal and -shm files the same mode)", {
      database: file,
      mode: loose,
      fix: `chmod 600 ${file} ${file}-wal ${file}-shm`,
    });
  }
}
