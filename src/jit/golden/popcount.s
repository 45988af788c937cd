// The population count of r1: a counted loop with a conditional inside. One `loop`
// for the back edge, a `block` for the merge point, no dispatcher.
  r0 = 0
loop:
  if r1 == 0 goto out
  r2 = r1
  r2 &= 1
  if r2 == 0 goto skip
  r0 += 1
skip:
  r1 >>= 1
  goto loop
out:
  exit
