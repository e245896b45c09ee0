"""Wrapping box text (Latin and CJK) and the diagram's geometry."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from screener.prisma.layout import text_width, wrap

WORDS = st.lists(
    st.sampled_from(
        [
            "Records",
            "screened",
            "(n\u00a0=\u00a012)",
            "中国知网",
            "研究类型不符",
            "a",
            "ClinicalTrials.gov",
            "Wrong-population",
        ]
    ),
    max_size=12,
)


@given(WORDS, st.integers(min_value=10, max_value=40))
def test_wrapped_lines_fit_and_keep_every_character(words, width):
    text = " ".join(words)
    lines = wrap(text, width, indent=2, hanging=2)
    for line in lines:
        # a line may overflow only when it is one unbreakable Latin word (CJK breaks anywhere)
        single_word = len(line.strip().split(" ")) == 1 and not re.search("[\u4e00-\u9fff]", line)
        assert text_width(line) <= width or single_word
    assert re.sub(r"\s", "", "".join(lines)) == re.sub(r"\s", "", text)


def test_cjk_counts_double_and_breaks_between_characters():
    assert text_width("中国知网") == 8
    lines = wrap("中国知网检索结果 (n\u00a0=\u00a03)", 10)
    assert lines == ["中国知网检", "索结果", "(n\u00a0=\u00a03)"]
