"""Validators for Chinese identifiers used across the portal."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 统一社会信用代码. 31 characters (no I, O, Z, S, V).
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a credit code."""
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=False))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为18位，当前为%(n)d位。"), code="length", params={"n": len(code)})
    bad = [c for c in code if c not in CREDIT_CODE_CHARS]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、Z、S、V）。"),
            code="charset",
            params={"chars": "".join(sorted(set(bad)))},
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：最后一位应为 %(expected)s，而不是 %(actual)s。"),
            code="checksum",
            params={"expected": expected, "actual": code[17]},
        )


# GB 11643-1999: 公民身份号码 (18 digits, last may be X).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


_ID_DIGITS = {str(d): d for d in range(10)}
# ASCII digits only: \d would also take full-width and other Unicode digits.
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]").fullmatch


def id_number_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=False)) % 11]


def id_number_problem(code: str) -> str:
    """What is wrong with a normalised 身份证号: "format", "checksum", or "" when it is valid.

    The one check of GB 11643, used by the forms, the API and the trainee import (up to
    200,000 numbers a file), so the weighted sum is unrolled: a loop over ID_WEIGHTS costs
    several times as much.
    """
    if len(code) != 18 or not _ID_SHAPE(code):
        return "format"
    d = _ID_DIGITS
    total = (
        d[code[0]] * 7
        + d[code[1]] * 9
        + d[code[2]] * 10
        + d[code[3]] * 5
        + d[code[4]] * 8
        + d[code[5]] * 4
        + d[code[6]] * 2
        + d[code[7]]
        + d[code[8]] * 6
        + d[code[9]] * 3
        + d[code[10]] * 7
        + d[code[11]] * 9
        + d[code[12]] * 10
        + d[code[13]] * 5
        + d[code[14]] * 8
        + d[code[15]] * 4
        + d[code[16]] * 2
    )
    return "" if code[17] == ID_CHECK[total % 11] else "checksum"


def validate_id_number(value: str) -> None:
    problem = id_number_problem((value or "").strip().upper())
    if problem == "format":
        raise ValidationError(_("身份证号应为18位（前17位为数字，最后一位为数字或X）。"), code="format")
    if problem == "checksum":
        raise ValidationError(_("身份证号校验位错误。"), code="checksum")


def mask_id_number(value: str) -> str:
    """Show only the first six and last four characters: 620102********1234."""
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:]
