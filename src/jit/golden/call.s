// A bpf-to-bpf call: a recursive factorial with its argument saved in its own stack
// frame. Two wasm functions; the call keeps the depth count and r10 per frame.
  r6 = r1
  r1 = 5
  call fact
  r0 += r6
  exit
fact:
  *(u64 *)(r10 - 8) = r1
  r0 = 1
  if r1 == 0 goto done
  r1 += -1
  call fact
  r1 = *(u64 *)(r10 - 8)
  r0 *= r1
done:
  exit
