/**
 * Verifying the programs of an ELF object without loading it: the object's map
 * definitions become map descriptors, the section's program type gives the context
 * layout and return range, BTF line info gives source lines for explanations. The
 * verification itself is the runtime's (`verifyProgram`), the one loading runs.
 */
import { parseObject, type ProgramSpec } from '../elf/index.js';
import { programType } from '../progs/index.js';
import { globalFunctionsOf, mapDescriptorOf, verifyProgram, type VerifyProgramOptions } from '../runtime/index.js';
import { TEST_CONTEXT, type VerifierResult } from '../verifier/index.js';

export interface ProgramVerdict {
  readonly name: string;
  readonly section: string;
  readonly result: VerifierResult;
  /** The program type has no context model yet; the 64-byte test context stood in. */
  readonly contextFallback: boolean;
}

export interface VerifyObjectOptions {
  readonly section?: string;
  readonly program?: string;
  readonly logLevel?: 0 | 1 | 2;
  /** Program type (name or number) for sections that name none (`2/1`, `.text`); otherwise they get the test context. */
  readonly fallbackType?: string | number;
  /** Processed-instruction limit (Linux's 1,000,000 by default). */
  readonly insnLimit?: number;
}

function typeOf(p: ProgramSpec, fallbackType: string | number | undefined): { type: VerifyProgramOptions['type']; fallback: boolean } {
  try {
    return { type: programType(p.type === 0 && fallbackType !== undefined ? fallbackType : p.type), fallback: false };
  } catch {
    return { type: { context: TEST_CONTEXT }, fallback: true };
  }
}

/** Verifies the chosen programs (all by default) of an object. Throws the loader's errors. */
export function verifyObject(bytes: Uint8Array, options: VerifyObjectOptions = {}): ProgramVerdict[] {
  const spec = parseObject(bytes);
  const maps = spec.maps.map(mapDescriptorOf);
  let programs = spec.programs;
  if (options.program !== undefined) {
    const name = options.program;
    // A `.text` function may be verified as a program of its own, as PREVAIL does.
    const found = spec.programs.filter((p) => p.name === name && (options.section === undefined || p.section === options.section));
    programs = found.length ? found : [spec.linkFunction(name, options.section)];
  }
  else if (options.section !== undefined) programs = spec.programsInSection(options.section);
  return programs.map((p) => {
    const { type, fallback } = typeOf(p, options.fallbackType);
    const lineInfo = new Map(p.lineInfo.map((l) => [l.pc, `${l.fileName}:${l.lineNum}: ${l.line.trim()}`]));
    const globalFunctions = globalFunctionsOf(p.funcInfo, spec.btf, type.context.name);
    const result = verifyProgram(p.insns, {
      type, maps, logLevel: options.logLevel ?? 1, license: p.license, lineInfo, globalFunctions,
      ...(options.insnLimit !== undefined ? { insnLimit: options.insnLimit } : {}),
    });
    return { name: p.name, section: p.section, result, contextFallback: fallback };
  });
}
