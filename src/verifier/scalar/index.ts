/**
 * The scalar abstract domain of the verifier: what is known about a number (known bits
 * plus signed and unsigned bounds of the register and of its 32-bit subregister), the
 * transfer function of every ALU operation, and the refinement a conditional jump
 * gives each of its edges. Generic over the register width: `DOMAIN64` (and the static
 * constructors of `Scalar`) for eBPF, `domainOf(8)` for exhaustive tests.
 *
 * Everything here is immutable. Values are interned (equal facts, one object) and
 * operation results remembered (intern.ts, memo.ts), so an operation may return a value
 * made before; nothing should rely on identity beyond that.
 */
export { Tnum, tnumConst, tnumUnknown, tnumRange, tnumAdd, tnumSub, tnumMul, tnumAnd, tnumOr,
  tnumXor, tnumLshift, tnumRshift, tnumArshift, tnumIntersect, tnumUnion, tnumCast, tnumSext,
  tnumSwap } from './tnum.js';
export { Scalar, ScalarDomain, DOMAIN64, domainOf, join, widen, meet, type ScalarBounds } from './scalar.js';
export { scalarAlu, type ScalarAluOptions } from './alu.js';
export { refineBranch, branchOutcome, type BranchRefinement } from './branch.js';
export { ALU_OPS, BRANCH_OPS, NEGATED_BRANCH, SWAPPED_BRANCH, aluOpOf, branchOpOf,
  type AluOpName, type BranchOpName } from './ops.js';
export { ScalarError, ScalarErrorCode } from './errors.js';
export { widthOf, type Width } from './width.js';
