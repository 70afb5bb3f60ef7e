"""Korean particles that agree with the word before them: 이/가, 을/를, 은/는, 과/와, 으로/로.

A particle's form depends on whether the word before it ends in a consonant (받침), and for 으로/로
on whether that consonant is ㄹ. For a Hangul word that is its last syllable. A Latin word, a number
or a symbol is read the way a Korean reader says it: regression (리그레션) takes 을, Adam (아담) 을,
softmax (소프트맥스) 를, NAG (엔에이지) 를, 10 (십) 을, 2 (이) 를.

    particle("regression", "을")   # -> "을"
    attach("NAG", "이")            # -> "NAG가"

In a message catalog a particle after a placeholder is written as its format spec, `{head:을}`, and
nnref.locale.messages picks the form when it fills the placeholder in.
"""

from __future__ import annotations

import re

# Each particle by either of its forms: (after a consonant, after a vowel); 으로/로 is the one
# whose consonant form does not follow ㄹ.
PAIRS = {
    "이": ("이", "가"),
    "가": ("이", "가"),
    "을": ("을", "를"),
    "를": ("을", "를"),
    "은": ("은", "는"),
    "는": ("은", "는"),
    "과": ("과", "와"),
    "와": ("과", "와"),
    "으로": ("으로", "로"),
    "로": ("으로", "로"),
    "이다": ("이다", "다"),
    "다": ("이다", "다"),
    "이나": ("이나", "나"),
    "나": ("이나", "나"),
}
NONE, RIEUL, OTHER = "none", "ㄹ", "other"  # what the word's last sound ends in

# How each Latin letter is named aloud, and what its name ends in (A 에이, L 엘, M 엠, N 엔, R 알).
LETTER_ENDS = dict.fromkeys("abcdefghijkopqstuvwxyz", NONE) | {"l": RIEUL, "r": RIEUL}
LETTER_ENDS |= {"m": OTHER, "n": OTHER}
# Words nnref writes that are read letter by letter, though written in lower case.
SPELLED = {"gd", "sgd", "nag", "mse", "ce", "bce", "csv", "lr", "mlp", "ddp", "cpu", "gpu", "url"}
# The last sound of a Sino-Korean number:
# 0 영, 1 일, 2 이, 3 삼, 4 사, 5 오, 6 육, 7 칠, 8 팔, 9 구.
DIGIT_ENDS = {"0": OTHER, "1": RIEUL, "2": NONE, "3": OTHER, "4": NONE}
DIGIT_ENDS |= {"5": NONE, "6": OTHER, "7": RIEUL, "8": RIEUL, "9": NONE}
# A round number is read by its last unit: 십 (10), 백 (100), 천 (1000), 만 (10⁴).
ROUND_ENDS = {1: OTHER, 2: OTHER, 3: OTHER, 4: OTHER}
# An English word, read: -m, -n, -ng and a silent-e -me/-ne end in a consonant (아담, 리그레션,
# 코사인), -l and -le in ㄹ (오디널, 스케일), a short vowel before p, t, k, ck, c, b keeps that
# consonant (스텝, 원핫, 블랙, 스토캐스틱); the rest end in a vowel (소프트맥스, 시그모이드).
ENDS_IN_CONSONANT = re.compile(r"(?:m|n|ng|[aeiou][mn]e|[aeiou](?:p|t|k|ck|c|b))$")
ENDS_IN_RIEUL = re.compile(r"le?$")


def last_sound(word: str) -> str:
    """NONE, RIEUL or OTHER: what `word`, read aloud in Korean, ends in."""
    text = str(word).rstrip(" )]}'\"`.,")
    if not text:
        return NONE
    last = text[-1]
    if "가" <= last <= "힣":
        tail = (ord(last) - ord("가")) % 28
        return NONE if tail == 0 else RIEUL if tail == 8 else OTHER
    if last.isdigit():
        return _number_end(text)
    match = re.search(r"[A-Za-z]+$", text)
    if match is None:
        return NONE  # a symbol: read by the word before it, which a message does not show
    return _latin_end(match.group())


def _number_end(text: str) -> str:
    digits = re.search(r"\d+$", text).group()
    if "." in text[-len(digits) - 1 : -len(digits)] or len(digits) == 1 or digits[-1] != "0":
        return DIGIT_ENDS[digits[-1]]
    zeros = len(digits) - len(digits.rstrip("0"))
    if zeros == len(digits):
        return OTHER  # 0, 00: 영
    return ROUND_ENDS.get(zeros % 4 or 4, OTHER)


def _latin_end(word: str) -> str:
    lower = word.lower()
    if word.isupper() or lower in SPELLED or len(lower) == 1:
        return LETTER_ENDS[lower[-1]]
    if ENDS_IN_RIEUL.search(lower):
        return RIEUL
    return OTHER if ENDS_IN_CONSONANT.search(lower) else NONE


def particle(word: str, which: str) -> str:
    """The form of the particle `which` (either of its forms: "을" or "를") after `word`."""
    if which not in PAIRS:
        raise ValueError(f"particle {which!r}: unknown; known: {', '.join(PAIRS)}")
    consonant, vowel = PAIRS[which]
    ends = last_sound(word)
    if consonant == "으로":
        return "으로" if ends == OTHER else "로"
    return consonant if ends != NONE else vowel


def attach(word: str, which: str) -> str:
    """`word` followed by the right form of the particle `which`: attach("NAG", "를") -> "NAG를"."""
    return f"{word}{particle(word, which)}"
