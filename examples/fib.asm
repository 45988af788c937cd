# The 90th Fibonacci number, in the bpf_conformance mnemonic dialect.
# Run: npx ebee run examples/fib.asm   (r0 = 2880067194370816120)
mov %r0, 0
mov %r1, 1
mov %r2, 90
loop:
mov %r3, %r0
add %r3, %r1
mov %r0, %r1
mov %r1, %r3
sub %r2, 1
jne %r2, 0, loop
exit
