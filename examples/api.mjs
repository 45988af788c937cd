// Using ebee as a library: assemble, run, single-step, and disassemble.
// Run: node examples/api.mjs   (after npm install, which builds dist/)
import { assemble, disassemble, encode, decode, Vm, JitVm, HelperRegistry } from 'ebee';

// 1. Assemble pseudo-C text (the dialect llvm-objdump and the verifier log print).
const { insns } = assemble(`
    r1 = 7
    call 1              # helper 1, provided below
    r0 += 1
    exit
`);

// 2. Register a helper by id (ebee's runtime will register Linux's; here, a mock).
const helpers = new HelperRegistry().register(1, 'triple', (_ctx, r1) => r1 * 3n);
const vm = new Vm({ helpers });
console.log('r0 =', vm.run(insns).r0); // 22n

// 3. Bytecode round-trips exactly.
const bytes = encode(insns);
console.log(`${bytes.length} bytes; decodes back to ${decode(bytes).length} instructions`);

// 4. Single-step: registers and pc after each instruction.
const ex = vm.start(insns);
while (!ex.step()) console.log(`pc ${ex.pc}: r0=${ex.register(0)} r1=${ex.register(1)}`);
ex.release();

// 5. Disassemble in either dialect.
console.log(disassemble(insns).trimEnd());
console.log(disassemble(insns, { dialect: "mnemonic" }).trimEnd());

// 6. The same program compiled to WebAssembly: same answer, same instruction count.
const jit = new JitVm({ helpers });
console.log('jit r0 =', jit.run(insns).r0); // 22n
