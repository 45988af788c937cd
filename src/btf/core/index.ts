/**
 * `btf/core/`: CO-RE relocation. Access strings resolved against the program's BTF,
 * candidates in a target BTF by essential name, libbpf's matching rules, the values
 * of every relocation kind, and the patching (or poisoning) of instructions.
 */
export { CoreReloKind, type CoreReloKindValue, CORE_RELO_KIND_NAMES, isFieldKind, isTypeKind, isEnumValueKind } from './kinds.js';
export { parseCoreSpec, essentialName, describeSpec, CORE_SPEC_MAX_LEN, type CoreSpec, type CoreAccessor } from './spec.js';
export { findCandidates, matchSpec, typesCompatible, typesMatch, fieldsCompatible } from './match.js';
export { calcRelocation, type CoreReloValue } from './calc.js';
export {
  applyCoreRelocations, resolveCoreRelocation, CORE_POISON_HELPER_ID, type ApplyCoreResult, type CoreReloOutcome, type ResolvedCoreRelo,
  type CandidateCache,
} from './apply.js';
