"""Glob compilation's shortcuts (pieces cut from the text by string operations) against the
token-by-token compilation they stand in for: the same compiled glob, field for field, and
the same answers, for patterns from the pattern text and from tokens alike, including the
cases the shortcuts must leave alone (``?``, non-ASCII case folding, a literal NUL or star).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iamsim.patterns import WILD_ONE, WILD_STAR, Glob, tokenize
from iamsim.patterns import glob as glob_module

# Characters that exercise every branch: wildcards, case, the Greek capital sigma (whose
# lower case depends on its neighbours), the dotted capital I (two characters lower-cased),
# a NUL (the first character of a wildcard token).
ALPHABET = "*?aAbB/:-\u03a3\u03c3\u0130\x00"


def _reference(pattern: str, tokens: list[str], ignore_case: bool) -> Glob:
    glob = Glob.__new__(Glob)
    object.__setattr__(glob, "pattern", pattern)
    object.__setattr__(glob, "ignore_case", ignore_case)
    glob_module._compile_tokens(glob, tokens)
    return glob


def _fields(glob: Glob) -> tuple[object, ...]:
    return (
        glob.pattern,
        glob.ignore_case,
        glob._kind,
        glob._pieces,
        glob._masks,
        glob._any_mask,
        glob._star_mask,
        glob._accept,
    )


def _same(built: Glob, reference: Glob, values: list[str]) -> None:
    assert _fields(built) == _fields(reference)
    for value in values:
        assert built.test(value) == reference.test(value), value
        assert built.matches(value) == reference.matches(value), value


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=ALPHABET, max_size=10),
    st.booleans(),
    st.lists(st.text(alphabet=ALPHABET, max_size=10), max_size=8),
)
def test_glob_from_text_compiles_as_token_by_token(
    pattern: str, ignore_case: bool, values: list[str]
) -> None:
    _same(
        Glob(pattern, ignore_case=ignore_case),
        _reference(pattern, tokenize(pattern), ignore_case),
        values,
    )


_TOKEN = st.sampled_from([WILD_STAR, WILD_ONE, "*", "?", "\x00", "a", "A", "\u03a3", "/"])


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_TOKEN, max_size=10),
    st.booleans(),
    st.lists(st.text(alphabet=ALPHABET, max_size=10), max_size=8),
)
def test_glob_from_tokens_compiles_as_token_by_token(
    tokens: list[str], ignore_case: bool, values: list[str]
) -> None:
    built = Glob.from_tokens(list(tokens), ignore_case=ignore_case)
    spelled = "".join("*" if t == WILD_STAR else "?" if t == WILD_ONE else t for t in tokens)
    assert built.pattern == spelled
    _same(built, _reference(built.pattern, list(tokens), ignore_case), values)


def test_the_shortcut_is_taken_for_the_common_shapes_and_not_for_the_others() -> None:
    # Literal star and NUL from tokens stay apart from a wildcard star.
    literal = Glob.from_tokens(["a", "\x00", "*", "b"])
    assert literal._kind == "literal" and literal.test("a\x00*b") and not literal.test("a\x00xb")
    assert Glob("data-**/x*", ignore_case=False)._pieces == ("data-", "/x", "")
    assert Glob("S3:Get*", ignore_case=True)._pieces == ("s3:get", "")
    assert Glob("**")._pieces == ("", "")
    assert Glob("")._kind == "literal"
    # Word-final sigma: whole-word lower-casing differs from per-character; per character wins.
    sigma = Glob("\u0391\u03a3*", ignore_case=True)
    assert sigma._pieces == ("\u03b1\u03c3", "")


@settings(max_examples=600, deadline=None)
@given(
    st.text(alphabet=ALPHABET, max_size=10),
    st.booleans(),
    st.lists(st.text(alphabet=ALPHABET, max_size=10), max_size=8),
)
def test_the_specialised_test_answers_as_matches(
    pattern: str, ignore_case: bool, values: list[str]
) -> None:
    # ``test`` (shaped for the pieces) and ``matches`` (the general walk) are the engine's two
    # paths (decision-only and traced): they must never disagree.
    glob = Glob(pattern, ignore_case=ignore_case)
    for value in [*values, ":\u0130\u0130", "\u0130" * 3]:
        assert glob.test(value) == glob.matches(value), (pattern, value)


def test_a_character_that_lower_cases_to_two_is_measured_after_lower_casing() -> None:
    glob = Glob(":*\u0130\u0130", ignore_case=True)
    assert glob.matches(":\u0130\u0130") and glob.test(":\u0130\u0130")
