import pytest
from django.core.exceptions import ValidationError

from members.demo import synthetic_credit_code
from members.validators import (
    credit_code_check_char,
    id_number_check_char,
    mask_id_number,
    validate_credit_code,
    validate_id_number,
)

# A code whose last character is the GB 32100-2015 check character of the first 17.
KNOWN_VALID_CREDIT_CODE = "91350100M000100Y43"


def test_a_known_credit_code_passes():
    validate_credit_code(KNOWN_VALID_CREDIT_CODE)
    assert credit_code_check_char(KNOWN_VALID_CREDIT_CODE[:17]) == "3"


def test_a_wrong_check_character_is_named_in_the_error():
    bad = KNOWN_VALID_CREDIT_CODE[:17] + "4"
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(bad)
    assert "校验位错误" in str(exc.value) and "应为 3" in str(exc.value)


@pytest.mark.parametrize(
    "code,fragment",
    [
        ("9135010", "应为18位"),
        ("91350100M000100YI3", "不允许的字符"),
    ],
)
def test_malformed_credit_codes_are_refused(code, fragment):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert fragment in str(exc.value)


def test_demo_credit_codes_are_valid():
    for name in ("兰石集团", "兰州新区管委会", "兰州石化职业技术大学"):
        validate_credit_code(synthetic_credit_code(name, "enterprise"))


def test_an_id_number_with_a_correct_check_digit_passes():
    first17 = "11010519491231002"
    validate_id_number(first17 + id_number_check_char(first17))
    assert id_number_check_char(first17) == "X"


def test_an_id_number_with_a_wrong_check_digit_is_refused():
    with pytest.raises(ValidationError, match="校验位错误"):
        validate_id_number("110105194912310021")


def test_masking_keeps_only_the_first_six_and_last_four():
    assert mask_id_number("620102199001011234") == "620102********1234"
