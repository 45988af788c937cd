/**
 * Verifying the programs of an ELF object without loading it: the object's map
 * definitions become map descriptors, the section's program type gives the context
 * layout and return range, BTF line info gives source lines for explanations. The
 * verification itself is the runtime's (`verifyProgram`), the one loading runs.
 */
import { parseObject, type ProgramSpec } from '../elf/index.js';
import { programTypeFor, type ProgramTypeInfo } from '../progs/index.js';
import { globalFunctionsOf, mapDescriptorOf, verifyProgram } from '../runtime/index.js';
import { ErrorCategory, TEST_CONTEXT, type VerifierResult } from '../verifier/index.js';

export interface ProgramVerdict {
  readonly name: string;
  readonly section: string;
  readonly result: VerifierResult;
  /**
   * The program type has no context model yet: the program is rejected for it, or,
   * with `testContext`, verified against the 64-byte test context.
   */
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
  /**
   * Verify programs of types ebee has no context model for against the 64-byte test
   * context (PREVAIL's), with every helper allowed. Off by default: such programs are
   * rejected, since a made-up context would accept what the kernel refuses.
   */
  readonly testContext?: boolean;
}

function typeOf(p: ProgramSpec, fallbackType: string | number | undefined):
  { type: ProgramTypeInfo; fallback: false } | { fallback: true; reason: string } {
  try {
    const named = p.type === 0 && fallbackType !== undefined;
    return { type: programTypeFor(named ? fallbackType : p.type, named ? undefined : p.sectionType?.expectedAttachType), fallback: false };
  } catch (err) {
    return { fallback: true, reason: (err as Error).message };
  }
}

/** The verdict on a program whose type has no model: a rejection at pc 0 saying so. */
function unmodelled(p: ProgramSpec, reason: string): VerifierResult {
  // A section naming no type (`2/1`, `.text`) is the common case: say how to give one.
  const how = p.type === 0
    ? `section '${p.section}' names no program type: give one (ebee verify --type T; fallbackType in the API)`
    : `${reason}; ebee cannot verify it`;
  const message = `${how} (or testContext: true to verify it against a 64-byte test context)`;
  return {
    ok: false, error: { pc: 0, message, category: ErrorCategory.CTX }, log: `${message}\n`,
    stats: { processedInsns: 0, totalStates: 0, peakStates: 0, maxStatesPerInsn: 0, markRead: 0 },
    states: new Map(), exitStates: [], deadCode: [],
  };
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
    const typed = typeOf(p, options.fallbackType);
    if (typed.fallback && !options.testContext) {
      return { name: p.name, section: p.section, result: unmodelled(p, typed.reason), contextFallback: true };
    }
    const type = typed.fallback ? { context: TEST_CONTEXT } : typed.type;
    const fallback = typed.fallback;
    const lineInfo = new Map(p.lineInfo.map((l) => [l.pc, `${l.fileName}:${l.lineNum}: ${l.line.trim()}`]));
    // The program type and attach type decide which pointers `arg:ctx` may tag.
    const attachType = p.type === 0 ? undefined : p.sectionType?.expectedAttachType;
    const globalFunctions = globalFunctionsOf(p.funcInfo, spec.btf, typed.fallback ? type.context.name
      : { name: type.context.name, type: typed.type.type, ...(attachType === undefined ? {} : { attachType }) });
    const result = verifyProgram(p.insns, {
      type, maps, logLevel: options.logLevel ?? 1, license: p.license, lineInfo, globalFunctions,
      ...(p.sectionType?.sleepable ? { sleepable: true } : {}),
      ...(options.insnLimit !== undefined ? { insnLimit: options.insnLimit } : {}),
    });
    return { name: p.name, section: p.section, result, contextFallback: fallback };
  });
}
