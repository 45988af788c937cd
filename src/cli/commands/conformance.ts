import { existsSync, statSync } from 'node:fs';
import { runConformanceDir } from '../../conformance/run.js';
import { expectPositionals, parseArgs, UsageError } from '../args.js';
import type { Command } from '../command.js';

export const conformanceCommand: Command = {
  name: 'conformance',
  summary: 'run a directory of bpf_conformance .data tests',
  usage: `ebee conformance DIR [--jit] [--json] [--verbose]

Runs every .data file in DIR through the assembler and the interpreter (--jit:
the WebAssembly JIT, in checked mode) and ends with
'N passed, M failed, K skipped'. Failures are listed with the reason; --verbose
lists passing tests too. Exit status 0 when nothing failed.`,
  run(argv, out) {
    const args = parseArgs(argv, { json: {}, verbose: { short: 'v' }, jit: {} });
    const [dir] = expectPositionals(args, ['DIR']);
    if (!existsSync(dir!) || !statSync(dir!).isDirectory()) throw new UsageError(`${dir} is not a directory`);
    const suite = runConformanceDir(dir!, args.flags.has('jit') ? 'jit' : 'interpreter');
    if (args.flags.has('json')) {
      out.log(JSON.stringify({
        passed: suite.passed, failed: suite.failed, skipped: suite.skipped,
        cases: suite.cases.map((c) => ({
          name: c.name, status: c.status,
          ...(c.expected === undefined ? {} : { expected: '0x' + c.expected.toString(16) }),
          ...(c.actual === undefined ? {} : { actual: '0x' + c.actual.toString(16) }),
          ...(c.message === undefined ? {} : { message: c.message }),
        })),
      }, null, 2));
    } else {
      for (const c of suite.cases) {
        if (c.status === 'fail') out.log(`FAIL ${c.name}: ${c.message}`);
        else if (c.status === 'skip') out.log(`SKIP ${c.name}: ${c.message}`);
        else if (args.flags.has('verbose')) out.log(`PASS ${c.name}`);
      }
      out.log(`${suite.passed} passed, ${suite.failed} failed, ${suite.skipped} skipped`);
    }
    return suite.failed === 0 ? 0 : 1;
  },
};
