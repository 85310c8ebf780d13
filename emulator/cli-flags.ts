// Command-line flags shared by the emulators' CLIs (emulator/main.ts, emulator/mattermost/main.ts): `--flag value`
// or `--flag=value`, each checked as it is read, with an error that names the flag.

/** A flag missing its value, or a value of the wrong kind: the CLI prints it with its usage and exits 2. */
export class FlagError extends Error {}

export function intFlag(flag: string, v: string | undefined, min: number): number {
  if (v === undefined || !/^\d+$/.test(v) || parseInt(v, 10) < min) throw new FlagError(`${flag} needs a whole number >= ${min}`);
  return parseInt(v, 10);
}

export function valueFlag(flag: string, v: string | undefined): string {
  if (v === undefined || v.startsWith("--")) throw new FlagError(`${flag} needs a value`);
  return v;
}

export function urlFlag(flag: string, v: string | undefined): string {
  const value = valueFlag(flag, v);
  if (!/^https?:\/\/\S+$/.test(value)) throw new FlagError(`${flag} needs an http(s) URL`);
  return value;
}

/** Calls `take` for each flag of `argv`; `next()` reads its value (inline after `=`, else the next argument). */
export function eachFlag(argv: string[], take: (flag: string, next: () => string | undefined) => void): void {
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    take(flag, () => (inline !== undefined ? inline : argv[++i]));
  }
}
