// A configuration problem, located: which file, which line, which field. Startup stops on it.
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly problem: string,
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${field}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** A command-line mistake (unknown flag or command, bad value): the CLI prints it with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
