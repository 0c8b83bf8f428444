"""Chinese text similarity for matching complaints to incidents.

rapidfuzz's partial ratio over the texts with spaces and punctuation removed: Chinese needs
no word segmentation for it (each character counts), the best-matching stretch of the longer
text is compared with the shorter one (a short complaint summary against an incident's title
and description), and unrelated texts share no stretch and score near 0."""

import re

from rapidfuzz import fuzz

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)

# Texts scoring at least this are "alike" (suggestions, matching complaints to incidents).
ALIKE = 40.0


def normalise(text: str) -> str:
    return _NOISE.sub("", text).lower()


def similarity(a: str, b: str) -> float:
    """0–100: how alike two texts are."""
    left, right = normalise(a), normalise(b)
    if not left or not right:
        return 0.0
    return fuzz.partial_ratio(left, right)
