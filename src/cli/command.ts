/** What every subcommand provides: its help text and a runner returning the exit status. */
export interface Output {
  log(line: string): void;
  error(line: string): void;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[], out: Output): number;
}
