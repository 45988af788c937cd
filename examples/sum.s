# Sum of the squares 1..100, with a bpf-to-bpf call per term.
# Run: npx ebee run examples/sum.s   (r0 = 338350)
        r6 = 0                  # running total (callee-saved: survives the calls)
        r7 = 1                  # i
loop:
        r1 = r7
        call square             # local function: r0 = r1 * r1
        r6 += r0
        r7 += 1
        if r7 <= 100 goto loop
        r0 = r6
        exit

square:
        r0 = r1
        r0 *= r1
        exit
