"""Benchmark the autocomplete index on a synthetic 100k-product catalogue.

Product names are drawn from word lists (brand, product line, adjective, material, noun, colour)
so that the vocabulary has the size and shape of a real shop's (~25k distinct words with made-up
product lines and model numbers), plus brands, categories and Zipf-weighted past queries. Typed
prefixes are 1-3 consecutive words of real entries, the last cut short, a fifth with one typo.

The naive peer scans every entry with ``str.startswith`` on each word boundary (exact prefixes
only, no typos) and sorts the matches with the same ranking; it is timed on a sample of the exact
prefixes, and its top 8 is compared with the index's as a correctness check.

    .venv/bin/python bench/suggest.py [--products 100000] [--prefixes 2000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from bridge.search.suggest import SuggestEntry, Suggester
from bridge.search.suggest.entries import merge_entries
from bridge.search.suggest.text import fold_words


def word_list(words: str) -> list[str]:
    """Word lists written as one string: easier to read and extend than a list of literals."""
    return words.split()


SYLLABLES = word_list(
    "ae ar bel bri ca cor da del el en fa fi gal ka ken la lu ma mi na no or pa pi ra ri sa sol ta "
    "ter ti tor va vel vi xo za zen ly on ix us ex ro"
)
ADJECTIVES = word_list(
    "lightweight insulated waterproof breathable classic slim relaxed cropped quilted packable "
    "stretch thermal vintage essential everyday trail urban alpine performance oversized seamless "
    "organic recycled hooded padded reversible sleeveless ribbed technical windproof softshell"
)
MATERIALS = word_list("cotton merino wool linen denim leather suede fleece nylon polyester cashmere silk down canvas")
NOUNS = word_list(
    "jacket parka coat vest hoodie sweater cardigan shirt t-shirt polo blouse dress skirt jeans "
    "chinos trousers shorts leggings joggers backpack duffel tote wallet belt beanie cap scarf gloves "
    "socks sneakers boots sandals loafers trainers tent sleeping-bag headlamp bottle mug"
)
COLOURS = word_list(
    "black white navy grey charcoal olive khaki sand beige red burgundy coral orange mustard yellow "
    "lime green teal turquoise sky-blue cobalt indigo purple lilac pink rose ivory cream brown tan"
)
ACCENTED = ["Café Crème", "Crème Brûlée", "Niño Azul", "Señorita", "Über Soft", "Sæter Blå", "Façade"]


def made_up_words(rng: random.Random, count: int, syllables: tuple[int, int]) -> list[str]:
    """Pronounceable names such as product lines and brands ("Velkaron"), capitalised."""
    words = {"".join(rng.choices(SYLLABLES, k=rng.randint(*syllables))).capitalize() for _ in range(count)}
    return sorted(words)


def product_name(rng: random.Random, brand: str, lines: list[str]) -> str:
    """One plausible product name: brand, line, maybe a model number, adjective, noun, colour."""
    parts = [brand, rng.choice(lines)]
    if rng.random() < 0.3:
        parts.append(f"{rng.choice('XSRGT')}{rng.randint(1, 99) * 10}")
    parts += [rng.choice(ADJECTIVES)] if rng.random() < 0.7 else []
    parts += [rng.choice(MATERIALS)] if rng.random() < 0.4 else []
    parts.append(rng.choice(NOUNS).capitalize())
    if rng.random() < 0.6:
        parts += ["-", rng.choice(COLOURS).capitalize()]
    return " ".join(parts).replace("T-shirt", "T-Shirt")


def catalogue(products: int, seed: int) -> list[SuggestEntry]:
    """Products, brands, categories and queries, weighted like a shop's popularity."""
    rng = random.Random(seed)
    brands = made_up_words(rng, 400, (2, 3)) + ACCENTED
    lines = made_up_words(rng, products // 4, (2, 4))
    entries = []
    for number in range(products):
        name = product_name(rng, rng.choice(brands), lines)
        entries.append(SuggestEntry(name, "product", round(rng.paretovariate(1.2), 2), (f"p{number}",)))
    entries += counted(entries, "brand", lambda entry: entry.text.split(" ")[0])
    entries += counted(entries, "category", lambda entry: entry.text.split(" - ")[0].split(" ")[-1] + "s")
    entries += [
        SuggestEntry(f"{rng.choice(COLOURS)} {rng.choice(NOUNS)}", "query", round(10_000 / rank, 1))
        for rank in range(1, products // 20)
    ]
    return entries


def counted(products: list[SuggestEntry], kind: str, key: Callable[[SuggestEntry], str]) -> list[SuggestEntry]:
    """One entry per brand or category, weighted by its product count, with its 4 best sellers."""
    groups: dict[str, list[SuggestEntry]] = {}
    for product in products:
        if product.kind == "product":
            groups.setdefault(key(product), []).append(product)
    return [
        SuggestEntry(
            name, kind, len(group), tuple(p.product_ids[0] for p in sorted(group, key=lambda p: -p.weight)[:4])
        )
        for name, group in groups.items()
    ]


def typo(rng: random.Random, word: str) -> str:
    """One random edit: substitution, transposition, deletion or insertion."""
    at = rng.randrange(1, len(word) - 1)
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    edits = [
        word[:at] + letter + word[at + 1 :],
        word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :],
        word[:at] + word[at + 1 :],
        word[:at] + letter + word[at:],
    ]
    return rng.choice(edits)


def typed_prefix(rng: random.Random, entries: list[SuggestEntry]) -> tuple[str, bool]:
    """What a shopper types on the way to an entry: (text, has a typo)."""
    words = fold_words(rng.choice(entries).text)
    start = 0 if rng.random() < 0.7 else rng.randrange(len(words))
    typed = words[start : start + rng.randint(1, 3)]
    typed[-1] = typed[-1][: rng.randint(1, len(typed[-1]))]
    long_enough = [i for i, word in enumerate(typed) if len(word) >= 4]
    if long_enough and rng.random() < 0.2:
        i = rng.choice(long_enough)
        typed[i] = typo(rng, typed[i])
        return " ".join(typed), True
    return " ".join(typed), False


def naive_suggest(folded: list[str], prefix: str, limit: int = 8) -> list[str]:
    """Linear scan: texts (already in rank order) whose words start with the typed words."""
    query = " ".join(fold_words(prefix))
    first = [text for text in folded if text.startswith(query)]
    if len(set(first)) < limit:
        first += [text for text in folded if (" " + query) in text and not text.startswith(query)]
    return list(dict.fromkeys(first))[:limit]


def agreement(suggester: Suggester, folded: list[str], prefixes: list[str]) -> float:
    """Share of prefixes where the index's exact completions equal the naive scan's."""
    same = 0
    for prefix in prefixes:
        exact = [" ".join(fold_words(s.text)) for s in suggester.suggest(prefix) if not s.corrected]
        same += exact == naive_suggest(folded, prefix)
    return same / len(prefixes)


def timed(function: Callable[[str], object], prefixes: list[str]) -> np.ndarray:
    """Milliseconds per call."""
    times = []
    for prefix in prefixes:
        began = time.perf_counter()
        function(prefix)
        times.append((time.perf_counter() - began) * 1000)
    return np.array(times)


def build_memory(entries: list[SuggestEntry]) -> tuple[float, float]:
    """(retained MB, peak MB) of a build, traced separately because tracing slows it down."""
    tracemalloc.start()
    suggester = Suggester(entries)
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del suggester
    return retained / 2**20, peak / 2**20


def row(name: str, times: np.ndarray) -> str:
    p50, p99 = np.percentile(times, [50, 99])
    return f"{name:<34} {len(times):>6} {p50:>8.3f} {p99:>8.3f} {times.max():>8.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--prefixes", type=int, default=2_000)
    parser.add_argument("--naive-sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    entries = catalogue(args.products, args.seed)
    began = time.perf_counter()
    suggester = Suggester(entries)
    build_s = time.perf_counter() - began
    retained, peak = build_memory(entries)
    folded = [" ".join(words) for _, words in merge_entries(entries)]  # rank order, as the index has it
    words = len({word for text in folded for word in text.split()})
    print(f"entries {len(entries)} -> {len(suggester)} after merging, {words} distinct words")
    print(f"build {build_s:.2f} s; memory retained {retained:.0f} MB, peak {peak:.0f} MB (tracemalloc),")
    print(f"of which numpy arrays {suggester.nbytes() / 2**20:.0f} MB")
    report(suggester, entries, folded, args)


def report(suggester: Suggester, entries: list[SuggestEntry], folded: list[str], args: argparse.Namespace) -> None:
    """Latency table for the index and the naive scan, and their agreement on exact prefixes."""
    rng = random.Random(args.seed + 1)
    typed = [typed_prefix(rng, entries) for _ in range(args.prefixes)]
    exact = [text for text, has_typo in typed if not has_typo]
    sample = exact[: args.naive_sample]
    timed(suggester.suggest, [text for text, _ in typed])  # warm up: steady state is what a server sees
    print(f"\n{'method':<34} {'calls':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    print(row("Suggester.suggest, all prefixes", timed(suggester.suggest, [text for text, _ in typed])))
    print(row("Suggester.suggest, with a typo", timed(suggester.suggest, [t for t, typo_ in typed if typo_])))
    print(row("Suggester.suggest, exact sample", timed(suggester.suggest, sample)))
    print(row("naive startswith scan, exact sample", timed(lambda text: naive_suggest(folded, text), sample)))
    found = sum(bool(suggester.suggest(text)) for text, has_typo in typed if has_typo)
    print(f"\nprefixes with a typo that still get a completion: {found}/{len(typed) - len(exact)}")
    print(f"exact completions identical to the naive scan's: {agreement(suggester, folded, sample):.1%}")


if __name__ == "__main__":
    main()
