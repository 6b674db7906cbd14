"""One character vocabulary for every autoregressive model (makemore's convention).

Index 0 is a special token that both starts and ends a sequence: a word w_1..w_T is read as
x = (<.>, w_1, ..., w_T) and predicts y = (w_1, ..., w_T, <.>), so the end token is scored too
and p(word) = prod_t p(y_t | y_<t) is a proper distribution over finite strings.
"""
from __future__ import annotations

from dataclasses import dataclass

SPECIAL = "."  # how the start/end token is shown
SPECIAL_LABEL = "<end>"  # how it is named in tables


class VocabularyError(ValueError):
    """Text that the vocabulary cannot encode; the message says what is allowed."""


@dataclass(frozen=True)
class Vocab:
    chars: str  # the characters, in index order 1..len(chars); index 0 is the start/end token
    max_len: int  # longest text (in characters) the models were built for

    @classmethod
    def from_words(cls, words: list[str]) -> "Vocab":
        return cls("".join(sorted(set("".join(words)))), max(len(w) for w in words))

    @property
    def size(self) -> int:
        return len(self.chars) + 1

    @property
    def block_size(self) -> int:
        return self.max_len + 1

    def itos(self, i: int) -> str:
        return SPECIAL if i == 0 else self.chars[i - 1]

    def describe_allowed(self) -> str:
        return f"characters {self.chars!r} (at most {self.max_len} of them)"

    def validate(self, text: str) -> str:
        """Return text if it can be encoded, else raise VocabularyError saying what is allowed."""
        if not isinstance(text, str):
            raise VocabularyError(f"expected text, got {type(text).__name__}")
        if len(text) == 0:
            raise VocabularyError("the text is empty: type at least one character, e.g. 'emma'")
        if len(text) > self.max_len:
            raise VocabularyError(
                f"the text has {len(text)} characters; these models read at most {self.max_len}"
            )
        unknown = sorted(set(text) - set(self.chars))
        if unknown:
            shown = ", ".join(repr(c) for c in unknown)
            raise VocabularyError(
                f"unknown character(s) {shown}; allowed are {self.describe_allowed()}"
            )
        return text

    def encode(self, text: str) -> torch.Tensor:
        import torch  # here, not at the top: the page reads vocabularies before torch is imported

        self.validate(text)
        index = {c: i + 1 for i, c in enumerate(self.chars)}
        return torch.tensor([index[c] for c in text], dtype=torch.long)

    def decode(self, ids) -> str:
        return "".join(self.chars[i - 1] for i in ids if i != 0)

    def to_dict(self) -> dict:
        return {"chars": self.chars, "max_len": self.max_len}
