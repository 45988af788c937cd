import type { Instruction } from '../isa/index.js';
import { Execution, type ExecutionOptions, type RunResult } from './execution.js';
import { HelperRegistry } from './helpers.js';
import { AddressSpace } from './memory.js';
import { prepare, type PreparedProgram } from './program.js';

export interface VmOptions {
  /** The address space to run in (default: a new one). */
  readonly space?: AddressSpace;
  /** Helpers reachable by `call` (default: none). */
  readonly helpers?: HelperRegistry;
}

export type ProgramInput = PreparedProgram | readonly Instruction[] | Uint8Array;

/**
 * The reference interpreter over one address space. Prepare a program once, then
 * `run` it as often as needed, or `start` an execution to single-step it.
 */
export class Vm {
  readonly space: AddressSpace;
  readonly helpers: HelperRegistry;

  constructor(options: VmOptions = {}) {
    this.space = options.space ?? new AddressSpace();
    this.helpers = options.helpers ?? new HelperRegistry();
  }

  /** Checks and lays out a program for execution. */
  prepare(program: readonly Instruction[] | Uint8Array): PreparedProgram {
    return prepare(program);
  }

  /** Starts an execution to step through; `release()` it when done. */
  start(program: ProgramInput, options: ExecutionOptions = {}): Execution {
    return new Execution(asPrepared(program), this.space, this.helpers, options);
  }

  /** Runs a program to completion and returns r0. */
  run(program: ProgramInput, options: ExecutionOptions = {}): RunResult {
    const ex = this.start(program, options);
    try {
      return ex.run();
    } finally {
      ex.release();
    }
  }
}

function asPrepared(program: ProgramInput): PreparedProgram {
  return 'opcode' in program && program.opcode instanceof Uint8Array ? (program as PreparedProgram) : prepare(program as readonly Instruction[] | Uint8Array);
}
