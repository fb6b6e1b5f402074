#!/usr/bin/env python3
"""Length and reading ease of a release's summaries (issue 38, item 7).

Reads the national web report's key findings and every local web report's
summary, and prints per document kind: bullets, words per bullet, words per
sentence and the Flesch reading ease (206.835 - 1.015 words/sentence - 84.6
syllables/word; syllables counted by vowel groups, a common approximation).
A measurement for docs/performance.md, not a test.

    python3 src/bench/readability.py out/2024/public
"""
import glob
import html
import os
import re
import sys


def section_items(text, heading_id):
    start = text.find(f'id="{heading_id}"')
    if start < 0:
        return []
    end = text.find("<h2", start + 1)
    part = text[start:end if end > 0 else len(text)]
    items = re.findall(r"<li>(.*?)</li>", part, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", i)).strip() for i in items]


def syllables(word):
    w = word.lower().strip(".,;:()'\"")
    if not w:
        return 0
    if re.fullmatch(r"[\d.,%£]+", w):
        return max(1, len(re.sub(r"\D", "", w)))
    groups = re.findall(r"[aeiouy]+", w)
    n = len(groups)
    if w.endswith("e") and n > 1 and not w.endswith("le"):
        n -= 1
    return max(1, n)


def measure(items):
    words = [w for i in items for w in i.split()]
    sentences = sum(max(1, len(re.findall(r"[.!?](\s|$)", i))) for i in items)
    syl = sum(syllables(w) for w in words)
    if not words:
        return None
    return {
        "bullets": len(items),
        "words_per_bullet": len(words) / len(items),
        "words_per_sentence": len(words) / sentences,
        "flesch": 206.835 - 1.015 * len(words) / sentences - 84.6 * syl / len(words),
    }


def main(public):
    national = glob.glob(os.path.join(public, "national", "*.html"))
    local = sorted(glob.glob(os.path.join(public, "local", "*.html")))
    kinds = [
        ("national key findings", national, "key-findings"),
        ("local summaries", local, "summary"),
    ]
    for name, files, hid in kinds:
        items = []
        for f in files:
            with open(f, encoding="utf-8") as fh:
                items += section_items(fh.read(), hid)
        m = measure(items)
        if m is None:
            print(f"{name}: nothing found")
            continue
        print(
            f"{name}: {m['bullets']} bullets, {m['words_per_bullet']:.1f} words a bullet, "
            f"{m['words_per_sentence']:.1f} words a sentence, Flesch reading ease {m['flesch']:.1f}"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/2024/public")
