"""Dates relative to the publication day keep the precision the text gives."""
from __future__ import annotations

import pytest

from kg.extraction.dates import ResolvedDate, resolve_date

PUBLISHED = "2023-06-14"  # a Wednesday


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Wednesday", ResolvedDate("2023-06-14", "day")),  # the day of writing
        ("on Monday", ResolvedDate("2023-06-12", "day")),
        ("last Wednesday", ResolvedDate("2023-06-07", "day")),
        ("Sunday night", ResolvedDate("2023-06-11", "day")),
        ("yesterday", ResolvedDate("2023-06-13", "day")),
        ("last month", ResolvedDate("2023-05-01", "month")),
        ("in March", ResolvedDate("2023-03-01", "month")),
        ("since September", ResolvedDate("2022-09-01", "month")),  # no September yet this year
        ("last June", ResolvedDate("2022-06-01", "month")),
        ("earlier this year", ResolvedDate("2023-01-01", "year")),
        ("last year", ResolvedDate("2022-01-01", "year")),
        ("May 2", ResolvedDate("2023-05-02", "day")),
        ("December 30", ResolvedDate("2022-12-30", "day")),
        ("on 4 July 2021", ResolvedDate("2021-07-04", "day")),
        ("in 2019", ResolvedDate("2019-01-01", "year")),
    ],
)
def test_relative_and_absolute_dates(text, expected):
    assert resolve_date(text, PUBLISHED) == expected


@pytest.mark.parametrize("text", ["the 1990s", "for years", "recently"])
def test_non_dates(text):
    assert resolve_date(text, PUBLISHED) is None


def test_relative_dates_need_the_publication_date():
    assert resolve_date("Monday", None) is None
    assert resolve_date("March 5, 2020", None) == ResolvedDate("2020-03-05", "day")
