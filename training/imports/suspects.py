"""Recognising, from what the portal keeps, a 身份证号 that was stored from a number cell.

Before imports took ID numbers from text cells only, a 身份证号 typed into a number cell reached
the portal as the office suite keeps it, 15 significant digits (6.20104199804194E+17), and was
turned into the nearest double's integer: an 18-digit number whose last three digits were
invented. About one in eleven such numbers passed the check digit and was stored.

The portal keeps only the mask (first six and last four characters) and the keyed hash, never
the number, so a stored row cannot be proven wrong; it can be recognised as a candidate. Such a
number V is the double nearest to D = (its first 15 digits) × 1000, so

* V is a multiple of the double's spacing at that size, 16 or more for every region code
  (11 … 82 → 1.1e17 … 8.3e17); 10,000 is a multiple of 16, so the last four digits are too;
* |V − D| is at most half that spacing (8 … 64), so the last three digits lie within it of 000;
* or the sheet held the integer D itself (a number cell written without exponent): last three 000.

A correct number looks like this by chance about once in 180 (measured on 200,000 random valid
numbers), so the list names candidates for staff to check against the people, not proof.
"""

import math


def _spacing(region: int) -> int:
    """The largest gap between doubles among 18-digit numbers starting with these six digits."""
    top = (region + 1) * 10**12
    return 2 ** max(0, math.frexp(top)[1] - 53)


def masked_id_looks_rounded(masked: str) -> bool:
    """Whether a masked 身份证号 (620104********4048) could be a number cell's rounded value."""
    if len(masked) != 18 or not masked[:6].isdigit() or not masked[-4:].isdigit():
        return False
    last4 = int(masked[-4:])
    last3 = last4 % 1000
    if last3 == 0:
        return True
    distance = min(last3, 1000 - last3)
    return last4 % 16 == 0 and distance <= _spacing(int(masked[:6])) // 2
