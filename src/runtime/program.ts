/** A loaded program: instructions with maps resolved, its type, and its id for PROG_ARRAY slots. */
import type { Instruction } from '../isa/index.js';
import { prepare, type PreparedProgram } from '../vm/index.js';
import type { ProgramTypeInfo } from '../progs/index.js';
import type { EngineName, TestRunOptions, TestRunResult } from './testrun.js';

/** A plain run: r1-r5 as given, no context built. */
export interface RunOptions {
  /** r1-r5 (missing ones are 0). */
  readonly args?: readonly (bigint | number)[];
  readonly engine?: EngineName;
  /** Instructions, tail calls included (default 100,000,000). */
  readonly budget?: number;
}

export interface RunOutcome {
  readonly r0: bigint;
  readonly executed: number | undefined;
  readonly tailCalls: number;
  readonly printk: readonly string[];
}

/** What a program needs from the runtime that loaded it. */
export interface ProgramHost {
  testRun(program: Program, options: TestRunOptions): TestRunResult;
  run(program: Program, options: RunOptions): RunOutcome;
}

export class Program {
  /** The program's id (and fd): what a PROG_ARRAY slot holds to tail-call it. */
  readonly id: number;
  readonly name: string;
  readonly type: ProgramTypeInfo;
  /** The instructions as run: map references rewritten to handles and value addresses. */
  readonly insns: readonly Instruction[];
  readonly prepared: PreparedProgram;
  /** Every memory access is checked against the region table (true unless a verifier accepted the program). */
  readonly checked: boolean;
  /** The verifier accepted the program at load. */
  readonly verified: boolean;
  private readonly host: ProgramHost;

  /** `register` files the program where PROG_ARRAY slots find it and returns its id. */
  constructor(host: ProgramHost, register: (program: Program) => number, name: string, type: ProgramTypeInfo,
    insns: readonly Instruction[], checked: boolean, verified = false) {
    this.host = host;
    this.name = name;
    this.type = type;
    this.insns = insns;
    this.prepared = prepare(insns);
    this.checked = checked;
    this.verified = verified;
    this.id = register(this);
  }

  /** Runs the program with r1-r5 as given (see `Runtime.run`). */
  run(options: RunOptions = {}): RunOutcome {
    return this.host.run(this, options);
  }

  /** BPF_PROG_TEST_RUN on this program (see `Runtime.testRun`). */
  testRun(options: TestRunOptions = {}): TestRunResult {
    return this.host.testRun(this, options);
  }
}
