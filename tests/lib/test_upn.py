import pytest

from tandem.lib.upn import check_letter, check_upn


def test_it_accepts_the_worked_example():
    result = check_upn("X938200125001")
    assert result.valid
    assert not result.temporary
    assert result.reason == ""


def test_it_accepts_a_temporary_upn():
    result = check_upn("K93820012501B")
    assert result.valid
    assert result.temporary


def test_it_computes_the_check_letter_by_hand():
    # 9*2+3*3+8*4+2*5+0+0+1*8+2*9+5*10+0+0+1*13 = 158 = 6*23 + 20 -> X
    assert check_letter("938200125001") == "X"


def test_it_explains_a_wrong_check_letter():
    result = check_upn("W938200125001")
    assert not result.valid
    assert "'W'" in result.reason and "'X'" in result.reason


@pytest.mark.parametrize(
    "upn, phrase",
    [
        ("X93820012500", "13 characters; this has 12"),
        ("x938200125001", "capitals"),
        ("I938200125001", "check letter"),
        ("X93820012A001", "digits"),
        ("X93820012500S", "last character"),
        (" X938200125001", "spaces"),
        ("UN2", "not known"),
    ],
)
def test_it_explains_why_a_malformed_upn_fails(upn, phrase):
    result = check_upn(upn)
    assert not result.valid
    assert phrase in result.reason


def test_it_catches_every_single_digit_typo_and_adjacent_swap():
    upn = "X938200125001"
    body = upn[1:]
    for i in range(12):
        for digit in "0123456789":
            if digit != body[i]:
                changed = body[:i] + digit + body[i + 1 :]
                assert not check_upn("X" + changed).valid
    for i in range(11):
        if body[i] != body[i + 1]:
            swapped = body[:i] + body[i + 1] + body[i] + body[i + 2 :]
            assert not check_upn("X" + swapped).valid


def test_it_never_changes_the_value_it_was_given():
    assert check_upn(" X938200125001").upn == " X938200125001"
