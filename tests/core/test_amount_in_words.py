"""Amounts of đồng in words, as a fee receipt writes them under the figures (core.text.amount_in_words)."""

import pytest

from onestop_tayninh.core.text import amount_in_words, money


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (5, "Năm đồng"),
        (10, "Mười đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (24, "Hai mươi bốn đồng"),
        (25, "Hai mươi lăm đồng"),
        (100, "Một trăm đồng"),
        (101, "Một trăm lẻ một đồng"),
        (105, "Một trăm lẻ năm đồng"),
        (110, "Một trăm mười đồng"),
        (111, "Một trăm mười một đồng"),
        (115, "Một trăm mười lăm đồng"),
        (1001, "Một nghìn không trăm lẻ một đồng"),
        (1010, "Một nghìn không trăm mười đồng"),
        (8000, "Tám nghìn đồng"),
        (15000, "Mười lăm nghìn đồng"),
        (21000, "Hai mươi mốt nghìn đồng"),
        (105000, "Một trăm lẻ năm nghìn đồng"),
        (1000000, "Một triệu đồng"),
        (1005000, "Một triệu không trăm lẻ năm nghìn đồng"),
        (1000005, "Một triệu không trăm lẻ năm đồng"),
        (1500000, "Một triệu năm trăm nghìn đồng"),
        (1000000000, "Một tỷ đồng"),
        (1000000001, "Một tỷ không trăm lẻ một đồng"),
        (2500000000, "Hai tỷ năm trăm triệu đồng"),
        (10050000000, "Mười tỷ không trăm năm mươi triệu đồng"),
        (1000000000000, "Một nghìn tỷ đồng"),
        (1001000000000, "Một nghìn không trăm lẻ một tỷ đồng"),
        (2000000000005, "Hai nghìn tỷ không trăm lẻ năm đồng"),
        (1000000000000000, "Một triệu tỷ đồng"),
    ],
)
def test_amount_reads_as_a_receipt_writes_it(amount, words):
    assert amount_in_words(amount) == words


def test_a_billion_billions_keeps_both_ty():
    # A thousand billion is "một nghìn tỷ"; a billion billions (within a BIGINT) says tỷ twice.
    assert amount_in_words(5_000_000_000_000_000_000) == "Năm tỷ tỷ đồng"


def test_a_negative_amount_is_refused():
    with pytest.raises(ValueError, match="âm"):
        amount_in_words(-1)


def test_figures_are_grouped_with_dots():
    assert money(1000000) == "1.000.000"
    assert money(8000) == "8.000"
    assert money(105) == "105"
