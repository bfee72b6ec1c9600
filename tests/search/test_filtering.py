"""The filter tree: three input languages, one evaluator, and the Chroma pre-filter split."""

from __future__ import annotations

import numpy as np
import pytest

from bridge.catalog.vectorviews import filter_metadata, palette_names
from bridge.errors import InvalidInputError
from bridge.search.filtering import (
    OPERATORS,
    AllOf,
    Condition,
    combine,
    from_prefilters,
    matches,
    parse_metadata_filters,
    parse_mongo,
    product_document,
    to_chroma_where,
)
from bridge.vectors.store import VectorStore

# (product_id, merchant metadata, photo colours) — deliberately untidy: a category with stray case and
# space, a category path, a price given as text, a scalar "size" beside list ones, a custom "color".
PRODUCTS = [
    ("shoe-1", {"name": "Air Runner", "category": "Footwear", "brand": "Nike", "price": 89.99, "color_name": "navy",
                "tags": ["running", "summer"], "material": "mesh", "size": ["40", "41"], "rating": 4.5},
     [("navy", 0.6), ("white", 0.3)]),
    ("shoe-2", {"name": "Adizero Boost", "category": " footwear ", "brand": "Adidas", "price": 120,
                "tags": ["running"], "rating": 4.8}, [("blue", 0.9)]),
    ("tee-1", {"name": "Classic Tee", "category": "Men/Tops/Tees", "brand": "Puma", "price": 25, "color_name": "red",
               "tags": ["summer", "basics"], "material": "cotton", "size": ["S", "M", "L"]},
     [("red", 0.8), ("black", 0.1)]),
    ("dress-1", {"name": "Summer Dress", "category": "Dresses", "brand": "Zara", "price": 59.5, "tags": ["summer"],
                 "material": "Cotton", "brand_id": "zr-1", "page_ids": ["p-10"]}, [("pink", 0.7), ("white", 0.2)]),
    ("bag-1", {"name": "Leather Tote", "category": "Bags", "brand": "Nike", "price": "49.00", "material": "leather"},
     [("brown", 1.0)]),
    ("hat-1", {"name": "Cap", "category": "Accessories/Hats", "tags": [], "rating": "n/a"}, []),
    ("sock-1", {"name": "Airy Socks", "category": "Footwear", "brand": "nike", "price": 9, "material": "cotton",
                "size": "M", "color": "Navy Blue"}, [("white", 0.5), ("gray", 0.4)]),
    ("coat-1", {"name": "Navy Coat", "category": "Outerwear", "brand": "Adidas", "price": 100, "category_id": "c-7",
                "color_name": "Navy"},
     []),
]  # fmt: skip


def _photo(colours: list[tuple[str, float]]) -> list[dict]:
    return [{"hex": "#000000", "name": name, "share": share} for name, share in colours]


DOCUMENTS = {pid: product_document(meta, palette_names(meta, _photo(photo))) for pid, meta, photo in PRODUCTS}


def selected(tree: AllOf) -> set[str]:
    return {pid for pid, document in DOCUMENTS.items() if matches(tree, document)}


def refusal(call, *args) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        call(*args)
    return caught.value


# Realistic filters in every language that can say them, with the products they select.
EQUIVALENT_FILTERS = [
    (
        [
            '{price: {gte: 50, lte: 120}, brand_name: ["Nike", "Adidas"]}',
            {"price": {"$gte": 50, "$lte": 120}, "brand": ["Nike", "Adidas"]},
            [
                {"field": "price", "operator": "gte", "value": 50},
                {"field": "price", "operator": "lte", "value": 120.0},
                {"field": "brand_name", "operator": "in", "value": ["Nike", "Adidas"]},
            ],
        ],
        {"shoe-1", "shoe-2", "coat-1"},
    ),
    (
        [
            '{category: "Footwear", price: {lte: 100}, color: "white"}',
            {"category": "Footwear", "price": {"lte": 100}, "color": "white"},
            [
                {"field": "category", "operator": "eq", "value": "Footwear"},
                {"field": "price", "operator": "lte", "value": 100},
                {"field": "colors", "operator": "eq", "value": "white"},
            ],
            from_prefilters(category="Footwear", price_max=100, color="white"),
        ],
        {"shoe-1", "sock-1"},
    ),
    (
        [
            '{attributes["material"]: "cotton", tags: "summer"}',
            '{"attributes[\\"material\\"]": "cotton", "tags": "summer"}',
            {"attributes.material": "cotton", "tags": {"eq": "summer"}},
            [
                {"field": "attributes.material", "operator": "eq", "value": "cotton"},
                {"field": "tags", "operator": "eq", "value": "summer"},
            ],
        ],
        {"tee-1", "dress-1"},
    ),
]


def _tree(source) -> AllOf:
    if isinstance(source, AllOf):
        return source
    return parse_metadata_filters(source) if isinstance(source, list) else parse_mongo(source)


@pytest.mark.parametrize(("sources", "expected"), EQUIVALENT_FILTERS)
def test_equivalent_filters_in_every_language_give_one_tree_and_one_product_set(sources, expected):
    trees = [_tree(source) for source in sources]
    assert all(tree == trees[0] for tree in trees)
    assert selected(trees[0]) == expected


def test_seed_example_reads_the_same_as_relaxed_text_and_as_a_json_object():
    text = '{price: {gte: 50, lt: 100}, brand: ["Nike", "Adidas"], color: "red"}'
    tree = parse_mongo(text)
    assert tree == parse_mongo({"price": {"gte": 50, "lt": 100}, "brand": ["Nike", "Adidas"], "color": "red"})
    assert tree.conditions[:3] == (
        Condition(("price",), "gte", 50),
        Condition(("price",), "lt", 100),
        Condition(("brand",), "in", ("Nike", "Adidas")),
    )


def test_escaped_quote_keys_as_the_seed_writes_them_name_the_custom_field():
    assert parse_mongo('{attributes[\\"material\\"]: "cotton"}') == parse_mongo({"material": "cotton"})
    assert selected(parse_mongo('{attributes["material"]: "cotton"}')) == {"tee-1", "dress-1", "sock-1"}


@pytest.mark.parametrize(
    ("op", "value", "field", "expected"),
    [
        ("eq", "NIKE", "brand", {"shoe-1", "bag-1", "sock-1"}),
        ("ne", "nike", "brand", {"shoe-2", "tee-1", "dress-1", "hat-1", "coat-1"}),
        ("gt", 89.99, "price", {"shoe-2", "coat-1"}),
        ("gte", 89.99, "price", {"shoe-1", "shoe-2", "coat-1"}),
        ("lt", 25, "price", {"sock-1"}),
        ("lte", 25, "price", {"tee-1", "sock-1"}),
        ("in", ["puma", "Zara"], "brand", {"tee-1", "dress-1"}),
        ("nin", ["nike", "adidas"], "brand", {"tee-1", "dress-1", "hat-1"}),
        ("contains", "air", "name", {"shoe-1", "sock-1"}),
        ("like", "air%", "name", {"shoe-1", "sock-1"}),
        ("like", "Classic T%", "name", {"tee-1"}),
    ],
)
def test_every_operator_selects_what_it_documents(op, value, field, expected):
    tree = parse_metadata_filters([{"field": field, "operator": op, "value": value}])
    assert tree == parse_mongo({field: {f"${op}": value}})
    assert selected(tree) == expected


def test_operators_cover_the_documented_set():
    assert set(OPERATORS) == {"eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains", "like"}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"page_names": "Tops"}, {"tee-1"}),
        ({"category_name": "men/tops/tees"}, {"tee-1"}),
        ({"page_names": ["hats", "Bags"]}, {"hat-1", "bag-1"}),
        ({"page_ids": "p-10"}, {"dress-1"}),
        ({"category_id": "c-7"}, {"coat-1"}),
        ({"brand_id": "zr-1"}, {"dress-1"}),
        ({"brand_name": "adidas"}, {"shoe-2", "coat-1"}),
        ({"color": "navy"}, {"shoe-1", "shoe-2", "coat-1"}),
        ({'attributes["color"]': "navy blue"}, {"sock-1"}),
    ],
)
def test_aliases_read_the_documented_fields(source, expected):
    assert selected(parse_mongo(source)) == expected


def test_colour_names_and_hex_widen_to_perceptually_close_palette_names():
    assert parse_mongo({"color": "navy"}) == parse_mongo({"colors": {"in": ["navy"]}})
    assert parse_mongo({"color": "navy"}).conditions[0] == Condition(("colors",), "in", ("navy", "purple", "blue"))
    assert selected(parse_mongo({"color": {"ne": "navy"}})) == {"tee-1", "dress-1", "bag-1", "hat-1", "sock-1"}
    assert selected(from_prefilters(color="#c8282d")) == {"tee-1"}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"size": "M"}, {"tee-1", "sock-1"}),
        ({"size": ["40", "XL"]}, {"shoe-1"}),
        ({"size": {"contains": "S"}}, {"tee-1"}),
        ({"tags": {"contains": "sum"}}, set()),
        ({"name": {"contains": "sum"}}, {"dress-1"}),
        ({"tags": {"nin": ["summer", "running"]}}, {"bag-1", "hat-1", "sock-1", "coat-1"}),
    ],
)
def test_list_fields_match_by_any_element_and_contains_means_element_not_substring(source, expected):
    assert selected(parse_mongo(source)) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"rating": {"gt": 4}}, {"shoe-1", "shoe-2"}),
        ({"price": {"lt": 1000}}, {"shoe-1", "shoe-2", "tee-1", "dress-1", "sock-1", "coat-1"}),
        ({"rating": {"ne": 4.5}}, {"shoe-2", "tee-1", "dress-1", "bag-1", "hat-1", "sock-1", "coat-1"}),
        ({"brand": None}, {"hat-1"}),
        ({"brand": {"ne": None}}, set(DOCUMENTS) - {"hat-1"}),
        ({"warranty": "2y"}, set()),
    ],
)
def test_missing_and_non_numeric_values_never_satisfy_comparisons_but_satisfy_negations(source, expected):
    assert selected(parse_mongo(source)) == expected


def test_evaluation_never_raises_on_odd_merchant_data():
    odd = {"price": {"a": 1}, "brand": [None, {"x": 1}, 10**400], "tags": "summer", "name": 5, "a": [{"b": 1}]}
    for op in OPERATORS:
        value = {"in": ["x"], "nin": ["x"], "like": "x%"}.get(op, 1 if op in ("gt", "gte", "lt", "lte") else "x")
        for field in ("price", "brand", "tags", "name", "a.b", "missing"):
            matches(parse_metadata_filters([{"field": field, "operator": op, "value": value}]), odd)
    assert matches(parse_mongo({"tags": {"contains": "sum"}}), odd)


def test_empty_filters_match_everything():
    assert parse_mongo("") == parse_mongo("{}") == parse_mongo({}) == parse_metadata_filters([]) == AllOf(())
    assert from_prefilters() == AllOf(()) and selected(AllOf(())) == set(DOCUMENTS)


def test_combine_ands_trees_and_drops_repeated_conditions():
    tree = combine(from_prefilters(category="Footwear"), parse_mongo({"category": "Footwear", "brand": "nike"}))
    assert tree.conditions == (Condition(("category",), "eq", "Footwear"), Condition(("brand",), "eq", "nike"))
    assert selected(tree) == {"shoe-1", "sock-1"}


def test_relaxed_text_errors_name_the_field_operator_and_character_position():
    text = '{name: "x", price: {gtx: 5}}'
    error = refusal(parse_mongo, text)
    assert error.field == "filters"
    assert error.message.startswith(f'filters: unknown operator "gtx" for price at position {text.index("gtx")}')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{price: {gte: 5}", 'expected "," or "}", found the end of the text at position 16'),
        ("{name: 'Nike'}", 'unexpected character "\'" at position 7: strings need double quotes'),
        ("{name Nike}", 'expected ":" after key name, found "Nike" at position 6'),
        ('{name: "Nike}', "unterminated string starting at position 7"),
        ("{brand: Nike}", 'expected a value (strings need double quotes), found "Nike" at position 8'),
        ("{attributes[material]: 1}", 'expected a double-quoted key after "[", found "material" at position 12'),
        ("{a: 1} x", 'expected nothing after the closing }, found "x" at position 7'),
        ("{a: 1, a: 2}", "key a is given twice, again at position 7"),
    ],
)
def test_syntax_errors_give_the_character_position(text, expected):
    assert refusal(parse_mongo, text).message == f"filters: {expected}"


@pytest.mark.parametrize(
    ("source", "reason", "at"),
    [
        ('{name: {like: "%Nike"}}', 'like takes a string ending in "%"', "like"),
        ('{name: {like: "Ni%ke%"}}', 'like supports prefix matching only: "%" may appear only at the end', "like"),
        ('{price: {gt: "cheap"}}', 'gt compares numbers, got "cheap"', "gt"),
        ("{brand: []}", "in takes a non-empty list", "brand"),
        ('{brand: {eq: ["a"]}}', "eq takes one value, not a list", "eq"),
        ("{price: {gte: {x: 1}}}", "nested objects are not supported", "gte"),
        ('{color: {gt: "red"}}', "colours match by name", "gt"),
        ('{color: "reddish"}', "is not a colour", "color"),
        ("{$or: [{a: 1}]}", "$or is not supported", "$or"),
        ('{attributes: "x"}', "attributes needs a key", "attributes"),
        ("{price: {}}", "needs at least one operator", "price"),
    ],
)
def test_semantic_errors_say_why_and_at_which_key_or_operator(source, reason, at):
    error = refusal(parse_mongo, source)
    assert error.field == "filters" and reason in error.message
    assert error.message.endswith(f" at position {source.index(at)}")


@pytest.mark.parametrize(
    ("item", "field", "reason"),
    [
        ({"field": "price", "operator": "gtx", "value": 1}, "metadata_filters[1].operator", 'unknown operator "gtx"'),
        ({"field": "price", "value": 1}, "metadata_filters[1].operator", "unknown operator None"),
        ({"field": "name", "operator": "like", "value": "a%b"}, "metadata_filters[1].value", "like takes"),
        ({"field": "price", "operator": "lt"}, "metadata_filters[1].value", "a value is required"),
        ({"field": "attributes[x]", "operator": "eq", "value": 1}, "metadata_filters[1].field", "double-quoted key"),
        ({"operator": "eq", "value": 1}, "metadata_filters[1].field", "a field name is required"),
        ({"field": "a", "op": "eq", "value": 1}, "metadata_filters[1]", 'unexpected key "op"'),
    ],
)
def test_metadata_filter_errors_name_the_item_and_its_part(item, field, reason):
    error = refusal(parse_metadata_filters, [{"field": "price", "operator": "gt", "value": 1}, item])
    assert error.field == field and error.message.startswith(f"{field}: ") and reason in error.message


def test_prefilter_errors_name_the_parameter():
    assert refusal(from_prefilters, None, 100, 10).field == "price_min"
    assert refusal(from_prefilters, None, None, None, "reddish").field == "color"
    assert refusal(from_prefilters, None, "cheap").field == "price_min"


@pytest.fixture(scope="module")
def chroma_collection(tmp_path_factory):
    """The products as Bridge stores them in Chroma: ``filter_metadata`` through the real ``VectorStore``."""
    store = VectorStore(tmp_path_factory.mktemp("chroma"), None)
    collection = store.collection("acc", "clip", "test-model", 4)
    ids = [pid for pid, _, _ in PRODUCTS]
    vectors = np.eye(len(ids), 4, dtype=np.float32) + 0.1
    store.upsert(collection, ids, vectors, [filter_metadata(pid, meta, _photo(photo)) for pid, meta, photo in PRODUCTS])
    yield collection
    store.close()


def chroma_ids(collection, where: dict | None) -> set[str]:
    return set(collection.get(where=where, include=[])["ids"])


TRANSLATABLE = [
    {"category": "FOOTWEAR"},
    {"category": ["dresses", " Bags"]},
    {"price": {"gte": 50, "lt": 100}},
    {"price": 100},
    {"price": [25, 9.0]},
    {"color": "navy"},
    {"color": ["red", "pink"], "price": {"gt": 10}},
]


@pytest.mark.parametrize("source", TRANSLATABLE)
def test_translatable_filters_run_entirely_in_chroma_and_select_what_matches_selects(chroma_collection, source):
    tree = parse_mongo(source)
    where, remainder = to_chroma_where(tree)
    assert remainder == AllOf(()) and where is not None
    assert chroma_ids(chroma_collection, where) == selected(tree)


def test_prefilters_translate_entirely_to_chroma(chroma_collection):
    tree = from_prefilters(category="footwear", price_min=5, price_max=100, color="white")
    where, remainder = to_chroma_where(tree)
    assert remainder == AllOf(()) and chroma_ids(chroma_collection, where) == selected(tree) == {"shoe-1", "sock-1"}


@pytest.mark.parametrize(
    "source",
    [
        {"category": "footwear", "brand": "nike"},
        {"category": {"ne": "footwear"}, "price": {"lte": 60}},
        {"color": {"nin": ["white"]}, "page_names": "Tops"},
        {"category": {"like": "foot%"}, "tags": "running"},
        {"price": {"gte": 0}, "attributes.material": "cotton", "size": "M"},
    ],
)
def test_chroma_prefilter_plus_python_remainder_equals_matches(chroma_collection, source):
    tree = parse_mongo(source)
    where, remainder = to_chroma_where(tree)
    candidates = chroma_ids(chroma_collection, where) if where else set(DOCUMENTS)
    assert {pid for pid in candidates if matches(remainder, DOCUMENTS[pid])} == selected(tree)


def test_negations_and_unstored_fields_stay_in_python():
    tree = parse_mongo({"category": {"nin": ["bags"]}, "price": {"ne": 5}, "brand": "Nike", "name": {"like": "A%"}})
    assert to_chroma_where(tree) == (None, tree)
