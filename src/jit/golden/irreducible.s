// An irreducible loop: entered at `a` or, when r1 is odd, at `b`. No single header
// dominates the cycle, so the structurer needs a dispatcher (a label local and a
// br_table).
  r0 = 0
  r2 = 4
  if r1 & 1 goto b
a:
  r0 += 1
b:
  r0 <<= 1
  r2 += -1
  if r2 s> 0 goto a
  exit
