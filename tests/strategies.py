"""Hypothesis strategies for hostile input, shared by the fuzzers."""

from __future__ import annotations

from hypothesis import strategies as st

# Integers no database column holds: beyond 64 bits either way.
BIG_INTEGERS = st.one_of(
    st.integers(min_value=2**63, max_value=2**70),
    st.integers(min_value=-(2**70), max_value=-(2**63) - 1),
    st.sampled_from([2**63, 2**64, 10**30]),
)
# Text made mostly of control characters (C0, DEL, C1, NUL), with some ordinary letters.
CONTROL_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0x1F),
        st.characters(min_codepoint=0x7F, max_codepoint=0x9F),
        st.sampled_from("aăệ =;,"),
    ),
    min_size=1,
    max_size=24,
)
