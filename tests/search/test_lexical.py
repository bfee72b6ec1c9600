"""The lexical index: what counts as the same word, how fields weigh, and how it changes in place."""

from __future__ import annotations

import numpy as np
import pytest

from bridge.search.lexical import LexicalIndex, normalized, stem, surface_words


def ids(results: list[tuple[str, float]]) -> list[str]:
    return [doc_id for doc_id, _ in results]


@pytest.fixture
def index() -> LexicalIndex:
    catalog = LexicalIndex()
    catalog.add("phone", {"name": "Samsung Galaxy S21 SM-G991B", "brand": "Samsung", "description": "5G phone"})
    catalog.add("cable", {"name": "USB-C charging cable", "brand": "Anker", "tags": ["usb", "cables"]})
    catalog.add("case", {"name": "Slim case", "description": "A case for the Galaxy S21", "category": "Cases"})
    catalog.add("tv", {"name": 'Crème 4K TV 55"', "attributes": ["HDMI 2.1", "Dolby Vision"]})
    return catalog


@pytest.mark.parametrize(
    ("plural", "singular"),
    [("batteries", "battery"), ("cases", "case"), ("switches", "switch"), ("movies", "movie"), ("boxes", "box")],
)
def test_plurals_share_the_singular_stem(plural: str, singular: str) -> None:
    assert stem(plural) == stem(singular)


@pytest.mark.parametrize(("inflected", "base"), [("gaming", "game"), ("charging", "charge"), ("shipped", "ship")])
def test_ing_and_ed_forms_share_the_base_stem(inflected: str, base: str) -> None:
    assert stem(inflected) == stem(base)


@pytest.mark.parametrize("word", ["gps", "ps4", "lens", "series", "stylus", "wireless", "string", "speed"])
def test_short_words_numbers_and_lookalike_endings_are_not_stemmed(word: str) -> None:
    assert stem(word) == word


def test_stemming_is_not_derivational() -> None:
    assert stem("rechargeable") != stem("charger")


def test_accents_and_case_are_folded_on_both_sides(index: LexicalIndex) -> None:
    assert ids(index.search("CREME tv")) == ["tv"]
    assert "creme" in surface_words("Crème")


def test_hyphenated_word_is_indexed_joined_and_split() -> None:
    assert surface_words("USB-C") == ["usb", "c", "usbc"]


@pytest.mark.parametrize("query", ["usb-c", "usbc", "usb c", "USB C cables"])
def test_hyphenated_product_is_found_by_every_spelling(index: LexicalIndex, query: str) -> None:
    assert ids(index.search(query))[0] == "cable"


@pytest.mark.parametrize("query", ["SM-G991B", "g991b", "smg991b", "991", "sm-g991"])
def test_model_number_is_found_whole_and_by_its_parts(index: LexicalIndex, query: str) -> None:
    assert ids(index.search(query))[0] == "phone"


def test_numbers_and_number_letter_tokens_are_kept(index: LexicalIndex) -> None:
    assert ids(index.search("4k")) == ["tv"]
    assert ids(index.search("55")) == ["tv"]


def test_possessive_s_leaves_no_stray_token() -> None:
    assert surface_words("Men's watch") == ["men", "watch"]


def test_stop_words_are_dropped_from_queries_but_not_from_the_index(index: LexicalIndex) -> None:
    assert index.search("case for the galaxy") == index.search("case galaxy")
    assert ids(index.search("the")) == ["case"]  # nothing but stop words: search them after all


def test_name_match_outranks_description_match(index: LexicalIndex) -> None:
    assert ids(index.search("galaxy")) == ["phone", "case"]


def test_brand_match_outranks_description_match() -> None:
    catalog = LexicalIndex()
    catalog.add("described", {"name": "Toner cartridge", "description": "fits Brother printers"})
    catalog.add("branded", {"name": "Toner cartridge", "brand": "Brother"})
    assert ids(catalog.search("brother")) == ["branded", "described"]


def test_list_values_and_attributes_are_searchable(index: LexicalIndex) -> None:
    assert ids(index.search("dolby vision")) == ["tv"]
    assert "cable" in ids(index.search("cables"))


def test_results_are_raw_scores_best_first(index: LexicalIndex) -> None:
    scores = [score for _, score in index.search("galaxy case")]
    assert scores == sorted(scores, reverse=True) and scores[0] > 1.0


def test_added_product_is_found_and_counted(index: LexicalIndex) -> None:
    index.add("mouse", {"name": "Wireless mouse"})
    assert len(index) == 5 and "mouse" in index
    assert ids(index.search("mice")) == ["mouse"]


def test_removed_product_is_no_longer_found(index: LexicalIndex) -> None:
    assert index.remove("phone") is True
    assert ids(index.search("galaxy")) == ["case"]
    assert len(index) == 3 and "phone" not in index
    assert index.remove("phone") is False


def test_adding_an_existing_id_replaces_its_text(index: LexicalIndex) -> None:
    index.add("case", {"name": "Leather wallet"})
    assert "case" not in ids(index.search("galaxy"))
    assert ids(index.search("wallet")) == ["case"]
    assert len(index) == 4


def test_scores_after_removal_equal_those_of_an_index_built_without_it() -> None:
    texts = {str(n): {"name": f"blue shirt size {n}", "description": "cotton " * (n % 5)} for n in range(40)}
    edited, fresh = LexicalIndex(), LexicalIndex()
    for doc_id, fields in texts.items():
        edited.add(doc_id, fields)
        if int(doc_id) % 3:
            fresh.add(doc_id, fields)
    for doc_id in texts:
        if not int(doc_id) % 3:
            edited.remove(doc_id)
    expected = dict(fresh.search("blue cotton shirt", k=50))
    assert dict(edited.search("blue cotton shirt", k=50)) == pytest.approx(expected)


def test_compaction_after_many_removals_keeps_live_products_and_scores() -> None:
    catalog = LexicalIndex()
    for n in range(3000):
        catalog.add(f"p{n}", {"name": f"widget {n} {'red' if n % 2 else 'green'}"})
    before = dict(catalog.search("red widget 2999", k=5))
    for n in range(2000):
        catalog.remove(f"p{n}")  # crosses the automatic compaction threshold once
    catalog.compact()
    assert len(catalog) == 1000
    assert ids(catalog.search("1999")) == [] and ids(catalog.search("2999")) == ["p2999"]
    assert dict(catalog.search("red widget 2999", k=5))["p2999"] > before["p2999"] * 0.5


def test_allowed_restricts_results_to_the_given_ids(index: LexicalIndex) -> None:
    assert ids(index.search("galaxy", allowed={"case", "not-indexed"})) == ["case"]
    assert index.search("galaxy", allowed={"cable"}) == []
    assert index.search("galaxy", allowed=set()) == []


@pytest.mark.parametrize("query", ["", "   ", "!!! --- ???"])
def test_empty_query_returns_nothing(index: LexicalIndex, query: str) -> None:
    assert index.search(query) == []


def test_unknown_words_return_nothing(index: LexicalIndex) -> None:
    assert index.search("zzyzx qwop") == []


def test_empty_index_returns_nothing() -> None:
    assert LexicalIndex().search("anything") == []


def test_k_larger_than_the_catalog_returns_each_match_once(index: LexicalIndex) -> None:
    assert sorted(ids(index.search("galaxy case cable tv", k=100))) == ["cable", "case", "phone", "tv"]
    assert index.search("galaxy", k=0) == []


def test_one_typo_in_a_long_word_is_forgiven_but_not_in_a_short_one(index: LexicalIndex) -> None:
    assert ids(index.search("galaxxy")) == ["phone", "case"]
    assert index.search("cse") == []


def test_prefix_completes_the_last_word_only_when_asked(index: LexicalIndex) -> None:
    assert index.search("samsung gala") == index.search("samsung")
    assert ids(index.search("slim gala", prefix=True)) == ["case", "phone"]


def test_unknown_field_is_rejected_and_nothing_is_indexed(index: LexicalIndex) -> None:
    with pytest.raises(ValueError, match="unknown fields"):
        index.add("shoe", {"name": "Running shoe", "colour": "red"})
    assert "shoe" not in index and index.search("running shoe") == []


def test_normalized_maps_the_best_score_to_one_and_keeps_zeros() -> None:
    assert normalized([4.0, 2.0, 0.0]).tolist() == [1.0, 0.5, 0.0]
    assert normalized(np.zeros(3)).tolist() == [0.0, 0.0, 0.0]
    assert normalized([]).size == 0


def test_normalized_maps_the_score_at_depth_and_below_to_zero() -> None:
    assert normalized([5.0, 4.0, 3.0, 2.0, 1.0], depth=3).tolist() == [1.0, 0.5, 0.0, 0.0, 0.0]


def test_normalized_gives_one_to_every_product_tied_with_the_best() -> None:
    assert normalized([2.0, 2.0, 2.0, 1.0], depth=2).tolist() == [1.0, 1.0, 1.0, 0.0]
