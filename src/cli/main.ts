/**
 * The `ebee` command: dispatches to subcommands and is the CLI's one error choke
 * point. Usage errors exit 2 with the command's usage; ebee errors exit 1 with their
 * code and message; anything else is a bug and prints its stack.
 */
import { EbeeError } from '../errors.js';
import { USAGE_ERROR } from './args.js';
import type { Command, Output } from './command.js';
import { asmCommand } from './commands/asm.js';
import { disasmCommand } from './commands/disasm.js';
import { runCommand } from './commands/run.js';
import { conformanceCommand } from './commands/conformance.js';
import { pluginCommand } from './commands/plugin.js';
import { verifyCommand } from './commands/verify.js';
import { btfCommand } from './commands/btf.js';

export const COMMANDS: readonly Command[] = [asmCommand, disasmCommand, runCommand, conformanceCommand, pluginCommand, verifyCommand, btfCommand];

const VERSION = '0.1.0';

function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'ebee: eBPF for JavaScript: assemble, run and test eBPF programs without a kernel',
    '',
    'usage: ebee COMMAND [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'ebee COMMAND --help' for a command's options.",
  ].join('\n');
}

const consoleOutput: Output = {
  log: (line) => process.stdout.write(line + '\n'),
  error: (line) => process.stderr.write(line + '\n'),
};

/** Runs the CLI with `argv` (without node and script) and returns the exit status. */
export function main(argv: readonly string[], out: Output = consoleOutput): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.log(mainUsage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    out.log(VERSION);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    out.error(`ebee: unknown command '${name}'\n\n${mainUsage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out.log(command.usage);
    return 0;
  }
  try {
    return command.run(rest, out);
  } catch (err) {
    if (err instanceof EbeeError && err.code === USAGE_ERROR) {
      out.error(`ebee ${name}: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    if (err instanceof EbeeError) {
      out.error(`ebee ${name}: ${err.message} [${err.code}]`);
      return 1;
    }
    throw err;
  }
}
