"""The autocomplete engine: matching, typo budget, highlights, ranking and its typo index."""

from __future__ import annotations

import random
import unicodedata

import numpy as np
import pytest

from bridge.errors import InvalidInputError
from bridge.search.suggest import SuggestEntry, Suggester
from bridge.search.suggest.distance import batch_distances, prefix_distance, word_distance
from bridge.search.suggest.text import fold_with_offsets, fold_words, typo_budget
from bridge.search.suggest.vocabulary import Vocabulary

CATALOGUE = [
    SuggestEntry("Stellar Solar Jacket", "product", 12, ("p-stellar",)),
    SuggestEntry("Solar Panel Charger", "product", 3, ("p-charger",)),
    SuggestEntry("Café Crème Mug", "product", 5, ("p-mug",)),
    SuggestEntry("Insulated Parka", "product", 7, ("p-parka",)),
    SuggestEntry("Men's T-Shirt", "product", 4, ("p-tee",)),
    SuggestEntry("Nordwand", "brand", 30, ("p-stellar", "p-parka")),
    SuggestEntry("Jackets", "category", 40, ("p-stellar",)),
    SuggestEntry("jackets", "query", 90),
    SuggestEntry("rain jacket", "query", 20),
]


@pytest.fixture
def suggester() -> Suggester:
    return Suggester(CATALOGUE)


def texts(suggestions: list) -> list[str]:
    return [suggestion.text for suggestion in suggestions]


def reference_row(a: str, b: str) -> list[int]:
    """Textbook optimal-string-alignment table, kept naive on purpose; its last row is a to b[:j]."""
    table = [[i + j if not i * j else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[-1]


def test_prefix_completes_entries_whose_first_word_starts_with_it(suggester):
    assert texts(suggester.suggest("ste")) == ["Stellar Solar Jacket"]
    assert texts(suggester.suggest("Nord")) == ["Nordwand"]


def test_every_typed_word_but_the_last_must_be_a_whole_word_and_the_last_a_prefix(suggester):
    assert texts(suggester.suggest("stellar solar ja")) == ["Stellar Solar Jacket"]
    assert suggester.suggest("stel solar") == []


def test_typed_words_must_match_consecutive_words_of_the_entry(suggester):
    assert suggester.suggest("stellar jacket") == []


def test_match_may_start_at_any_word_of_the_entry(suggester):
    assert texts(suggester.suggest("solar ja")) == ["Stellar Solar Jacket"]
    assert "Stellar Solar Jacket" in texts(suggester.suggest("jacket"))


def test_entries_whose_first_word_matches_rank_above_heavier_mid_entry_matches(suggester):
    assert texts(suggester.suggest("solar")) == ["Solar Panel Charger", "Stellar Solar Jacket"]


def test_empty_whitespace_or_punctuation_only_query_returns_nothing(suggester):
    for prefix in ("", "   ", " - , "):
        assert suggester.suggest(prefix) == []


def test_limit_caps_the_number_of_suggestions(suggester):
    assert len(suggester.suggest("s", limit=1)) == 1
    assert suggester.suggest("s", limit=0) == []


def test_kinds_filter_keeps_only_the_requested_kinds(suggester):
    assert [(s.text, s.kind) for s in suggester.suggest("jacket", kinds={"product"})] == [
        ("Stellar Solar Jacket", "product")
    ]
    assert [s.kind for s in suggester.suggest("jack", kinds={"category"})] == ["category"]


def test_unknown_kinds_are_rejected_as_invalid_input(suggester):
    with pytest.raises(InvalidInputError):
        suggester.suggest("jack", kinds={"products"})
    with pytest.raises(InvalidInputError):
        SuggestEntry("Jackets", "collection", 1)


def test_equal_texts_across_kinds_are_suggested_once_keeping_the_best(suggester):
    assert [(s.text, s.kind) for s in suggester.suggest("jack")] == [
        ("jackets", "query"),
        ("rain jacket", "query"),
        ("Stellar Solar Jacket", "product"),
    ]


def test_same_text_and_kind_merge_into_one_entry_leading_to_all_products():
    suggester = Suggester(
        [SuggestEntry("Classic Tee", "product", 2, ("p1",)), SuggestEntry("classic tee", "product", 5, ("p2",))]
    )
    [suggestion] = suggester.suggest("classic")
    assert (suggestion.text, suggestion.product_ids) == ("classic tee", ("p2", "p1"))


def test_heavier_entries_rank_first_and_equal_weights_prefer_shorter_texts():
    suggester = Suggester(
        [
            SuggestEntry("Parka Long Edition", "product", 1),
            SuggestEntry("Parka Light", "product", 1),
            SuggestEntry("Parka Expedition", "product", 9),
        ]
    )
    assert texts(suggester.suggest("parka")) == ["Parka Expedition", "Parka Light", "Parka Long Edition"]


def test_exact_matches_rank_above_heavier_corrected_ones():
    suggester = Suggester([SuggestEntry("Parka Light", "product", 1), SuggestEntry("Parks Bench", "product", 100)])
    found = suggester.suggest("parka")
    assert [(s.text, s.corrected) for s in found] == [("Parka Light", False), ("Parks Bench", True)]
    assert found[0].score > found[1].score


def test_scores_decrease_down_the_list(suggester):
    scores = [s.score for s in suggester.suggest("s")]
    assert scores == sorted(scores, reverse=True) and all(0 < score <= 1 for score in scores)


def test_three_typed_characters_allow_no_typo(suggester):
    assert suggester.suggest("jca") == []
    assert suggester.suggest("stl") == []


@pytest.mark.parametrize("typed", ["jacoe", "jaxcke", "jcke", "jakce", "jcak"])
def test_four_to_seven_characters_allow_one_edit_including_a_transposition(suggester, typed):
    found = suggester.suggest(typed)
    assert "Stellar Solar Jacket" in texts(found)
    assert all(suggestion.corrected for suggestion in found)


@pytest.mark.parametrize("typed", ["jxcx", "jxcxe", "stxllxr"])
def test_four_to_seven_characters_reject_two_edits(suggester, typed):
    assert suggester.suggest(typed) == []


@pytest.mark.parametrize("typed", ["insxlaxe", "insxlaxed", "isnulatde", "nsulatedd"])
def test_eight_characters_or_more_allow_two_edits(suggester, typed):
    assert texts(suggester.suggest(typed)) == ["Insulated Parka"]


def test_eight_characters_reject_three_edits(suggester):
    assert suggester.suggest("insxlxxe") == []


def test_earlier_words_are_corrected_within_the_budget_of_their_length(suggester):
    [found] = suggester.suggest("stelar solar jack")
    assert (found.text, found.corrected, found.highlight) == ("Stellar Solar Jacket", True, [(0, 7), (8, 13), (14, 18)])
    assert suggester.suggest("stlar solar") == []


def test_highlight_maps_folded_matches_back_to_accented_original_text(suggester):
    [found] = suggester.suggest("cafe cr")
    assert found.highlight == [(0, 4), (5, 7)]
    assert [found.text[start:end] for start, end in found.highlight] == ["Café", "Cr"]


def test_highlight_skips_punctuation_between_words(suggester):
    [found] = suggester.suggest("mens t sh")
    assert [found.text[start:end] for start, end in found.highlight] == ["Men's", "T", "Sh"]


def test_highlight_keeps_decomposed_accents_inside_the_mark():
    text = unicodedata.normalize("NFD", "Crème Brûlée")
    [found] = Suggester([SuggestEntry(text, "product", 1)]).suggest("creme b")
    assert [text[start:end] for start, end in found.highlight] == [unicodedata.normalize("NFD", "Crème"), "B"]


def test_highlight_of_a_corrected_prefix_covers_the_closest_prefix(suggester):
    found = {s.text: s for s in suggester.suggest("jakce")}
    assert found["Stellar Solar Jacket"].highlight == [(14, 19)]


def test_trailing_space_finishes_the_last_word():
    suggester = Suggester([SuggestEntry("Cafeteria Tray", "product", 9), SuggestEntry("Café Noir", "product", 1)])
    assert texts(suggester.suggest("cafe")) == ["Cafeteria Tray", "Café Noir"]
    assert texts(suggester.suggest("cafe ")) == ["Café Noir"]


def test_an_entry_repeating_a_word_does_not_crowd_out_other_entries():
    suggester = Suggester([SuggestEntry("go " * 40, "product", 10), SuggestEntry("Let's go", "product", 1)])
    assert texts(suggester.suggest("go", limit=2)) == ["go " * 40, "Let's go"]


@pytest.mark.parametrize(
    "text",
    [
        "Straße",
        "Men's Levi’s O'Neill Ｏ＇Ｎｅｉｌｌ",
        "ﬁne Print",
        unicodedata.normalize("NFD", "Façade"),
        "İstanbul",
        "snake_case",
        "ΣΑΣ",
        "Sæter Blå",
        "日本 製",
    ],
)
def test_indexed_words_and_highlighted_words_fold_identically(text):
    assert [word.text for word in fold_with_offsets(text)] == fold_words(text)


def test_distances_agree_with_a_textbook_implementation():
    rng = random.Random(5)
    for _ in range(2000):
        typed, word = ("".join(rng.choices("abc", k=rng.randint(1, 7))) for _ in range(2))
        limit = rng.randint(0, 3)
        row = reference_row(typed, word)
        exact, closest = row[-1], min(row)
        assert word_distance(typed, word, limit) == (exact if exact <= limit else None)
        found = prefix_distance(typed, word, limit)
        assert (found[0] if found else None) == (closest if closest <= limit else None)


def test_typo_index_finds_exactly_the_words_a_brute_force_scan_finds():
    rng = random.Random(11)
    words = sorted({"".join(rng.choices("aeiklmnorstøæ日", k=rng.randint(2, 11))) for _ in range(300)})
    vocabulary = Vocabulary(words)
    long_words = [word for word in words if len(word) >= 6]
    for _ in range(100):
        typed = mutate(rng, rng.choice(long_words)[: rng.randint(4, 10)], "aeiklmnorstøæ日")
        limit = typo_budget(len(typed))
        rows = [reference_row(typed, word) for word in words]
        prefixes = {i: min(row) for i, row in enumerate(rows) if 0 < min(row) <= limit}
        assert expand(vocabulary.fuzzy_prefixes(typed)) == prefixes
        whole = {i: row[-1] for i, row in enumerate(rows) if 0 < row[-1] <= limit}
        assert expand(vocabulary.fuzzy_words(typed)) == whole


def test_batch_distances_match_single_word_distances():
    words = ["jacket", "jackets", "jakcet", "packet", "jack", "ja"]
    chars = np.array([[ord(c) for c in word.ljust(8, "\0")] for word in words], dtype=np.uint32)
    lengths = np.array([len(word) for word in words])
    whole = batch_distances("jacket", chars, lengths, 1, prefix=False)
    assert [int(d) if d <= 1 else None for d in whole] == [word_distance("jacket", w, 1) for w in words]
    prefixes = batch_distances("jacke", chars[:, :6], lengths, 1, prefix=True)
    assert [int(d) if d <= 1 else None for d in prefixes] == [
        (prefix_distance("jacke", w, 1) or (None,))[0] for w in words
    ]


def mutate(rng: random.Random, text: str, alphabet: str) -> str:
    """Up to three random edits (substitute, swap, delete, insert), keeping at least 4 characters."""
    for _ in range(rng.randint(0, 3)):
        at = rng.randrange(len(text) - 1)
        text = rng.choice(
            [
                text[:at] + rng.choice(alphabet) + text[at + 1 :],
                text[:at] + text[at + 1] + text[at] + text[at + 2 :],
                text[:at] + text[at + 1 :] if len(text) > 4 else text,
                text[:at] + rng.choice(alphabet) + text[at:],
            ]
        )
    return text


def expand(ranges: list[tuple[int, int, int]]) -> dict[int, int]:
    return {word_id: edits for lo, hi, edits in ranges for word_id in range(lo, hi)}
