"""The limits module: defaults, overrides scoped to a block, validation of user-given limits."""

import pytest

from iamsim import limits


def test_defaults_follow_terraform_range_cap() -> None:
    assert limits.current().max_range_elements == 1024


def test_override_is_scoped_to_the_block() -> None:
    with limits.override(max_instances=5) as inner:
        assert inner.max_instances == 5
        assert limits.current().max_instances == 5
    assert limits.current().max_instances == limits.DEFAULT_LIMITS.max_instances


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["max_nope=3"], "unknown limit"),
        (["max_instances=0"], "positive integer"),
        (["max_instances=lots"], "not a whole number"),
        (["max_instances"], "NAME=VALUE"),
    ],
)
def test_bad_limit_options_are_refused(options: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        limits.parse_limit_options(options)


def test_limit_options_accept_dashes_and_underscored_numbers() -> None:
    assert limits.parse_limit_options(["max-file-bytes=1_000"]) == {"max_file_bytes": 1000}
