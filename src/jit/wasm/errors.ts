import { EbeeError, type EbeeErrorOptions } from '../../errors.js';

/**
 * Stable codes for the wasm encoder. The encoder checks what it can cheaply check
 * (ranges, nesting, index spaces) so a JIT bug surfaces at the line that caused it
 * rather than as a `WebAssembly.CompileError` about some byte offset later; typing of
 * the operand stack is left to the engine's validator.
 */
export const WasmErrorCode = {
  /** `end`/`else` without a matching open block, or `finish()` with blocks still open. */
  UNBALANCED: 'EBEE_WASM_UNBALANCED',
  /** `importFunction` after `addFunction`: imports must take the lowest function indices. */
  IMPORT_ORDER: 'EBEE_WASM_IMPORT_ORDER',
  /** A value that does not fit its encoding (LEB128 width, constant, alignment, limits). */
  RANGE: 'EBEE_WASM_RANGE',
  /** An opcode used through the wrong method (one that has immediates, or is not a load). */
  BAD_OPCODE: 'EBEE_WASM_BAD_OPCODE',
  /** A local, global, function, type or label index that does not exist. */
  BAD_INDEX: 'EBEE_WASM_BAD_INDEX',
  /** A function body whose parameters differ from the signature it is added with. */
  SIGNATURE: 'EBEE_WASM_SIGNATURE',
  /** A second export of the same name, or a second memory. */
  DUPLICATE: 'EBEE_WASM_DUPLICATE',
  /** `printWat` was given bytes that are not a well-formed module. */
  MALFORMED: 'EBEE_WASM_MALFORMED',
  /** `printWat` met a well-formed construct outside the subset ebee emits. */
  UNSUPPORTED: 'EBEE_WASM_UNSUPPORTED',
} as const;
export type WasmErrorCodeValue = (typeof WasmErrorCode)[keyof typeof WasmErrorCode];

/** An encoding (or, from `printWat`, decoding) failure in `jit/wasm`. */
export class WasmEncodeError extends EbeeError {
  constructor(code: WasmErrorCodeValue, message: string, options: EbeeErrorOptions = {}) {
    super(code, message, options);
  }
}
