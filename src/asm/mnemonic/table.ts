/**
 * Mnemonic lookup, derived from the ISA table so that a form added there is
 * assemblable here without a second list to keep in step.
 */
import { INSTRUCTION_FORMS, type InsnForm } from '../../isa/index.js';

/**
 * Spellings accepted besides the table's names. uBPF and the suite's files write the
 * unconditional byte swap as `swapN`; RFC 9669 calls it `bswapN`, which is what we print.
 */
export const MNEMONIC_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  swap16: 'bswap16',
  swap32: 'bswap32',
  swap64: 'bswap64',
});

const byName = new Map<string, InsnForm[]>();
for (const form of INSTRUCTION_FORMS) {
  const list = byName.get(form.name);
  if (list) list.push(form);
  else byName.set(form.name, [form]);
}

/** Every word sequence that begins a (possibly multi-word) mnemonic such as `lock fetch add32`. */
const prefixes = new Set<string>();
for (const name of [...byName.keys(), ...Object.keys(MNEMONIC_ALIASES)]) {
  const words = name.split(' ');
  for (let n = 1; n <= words.length; n++) prefixes.add(words.slice(0, n).join(' '));
}

/** The forms spelled `name` (after alias resolution); register and immediate variants share a name. */
export function formsNamed(name: string): readonly InsnForm[] | undefined {
  return byName.get(MNEMONIC_ALIASES[name] ?? name);
}

/** True when `phrase` is a mnemonic or the first words of one. */
export function isMnemonicPrefix(phrase: string): boolean {
  return prefixes.has(phrase);
}

/** The single form named `name`; for names the table is known to hold exactly once. */
export function formNamed(name: string): InsnForm {
  const form = byName.get(name)?.[0];
  if (!form) throw new Error(`internal: no instruction form named '${name}'`);
  return form;
}
