"""Which file names mean "validation file": one definition for the code, `--help` and the README.

A validation file's tokens are reported but not billed, and no minimum example count applies, so a
wrong guess either way changes the verdict. The rule is therefore narrow and exact:

- the name is split into words at ``-``, ``_``, ``.`` and spaces, after dropping the ``.jsonl`` suffix
  and any compression suffix, and lower-cased;
- trailing words that only number or label a split (``2``, ``v2``, ``set``, ``split``, ``data``,
  ``file``) are set aside;
- the file is a validation file when its **first or last** word is one of :data:`VALIDATION_WORDS`
  and **no** word is one of :data:`TRAINING_WORDS`.

So ``valid.jsonl``, ``val.jsonl``, ``chat-validation.jsonl``, ``eval_set.jsonl``, ``gsm8k.test.jsonl``
and ``dev-v2.jsonl`` are validation files; ``train_eval.jsonl`` (it says train), ``my-test-run.jsonl``
(test is neither first nor last) and ``latest.jsonl`` (no such word) are training files. For
anything else, say so: ``--validation-file``/``--training-file`` or the ``validation-files`` and
``training-files`` globs in config.
"""

from __future__ import annotations

import re

VALIDATION_WORDS = ("val", "valid", "validation", "eval", "evaluation", "dev", "test", "holdout", "heldout")
TRAINING_WORDS = ("train", "training")
NEUTRAL_WORDS = ("set", "split", "data", "file")  # "eval_set", "dev-split", "valid_data"
_COMPRESSION = (".gz", ".bz2", ".xz")
_SPLIT = re.compile(r"[-_. ]+")
_NUMBERING = re.compile(r"v?\d+")


def name_words(name: str) -> list[str]:
    """The words of a file name, as the rule above reads them."""
    base = name.lower()
    for suffix in _COMPRESSION:
        base = base.removesuffix(suffix)
    base = base.removesuffix(".jsonl")
    words = [word for word in _SPLIT.split(base) if word]
    while len(words) > 1 and (words[-1] in NEUTRAL_WORDS or _NUMBERING.fullmatch(words[-1])):
        words.pop()
    return words


def validation_word(name: str) -> str | None:
    """The word that makes ``name`` a validation file's name, or None."""
    words = name_words(name)
    if not words or any(word in TRAINING_WORDS for word in words):
        return None
    for word in (words[0], words[-1]):
        if word in VALIDATION_WORDS:
            return word
    return None


def rule_text() -> str:
    """The rule in one sentence, for `--help` and the README (a test keeps the README in step)."""
    return ("its name's first or last word (split at - _ . and spaces) is "
            + ", ".join(VALIDATION_WORDS[:-1]) + " or " + VALIDATION_WORDS[-1]
            + ", and no word is " + " or ".join(TRAINING_WORDS))
