"""The closed sets users choose from on the command line and in config, defined once.

Kept free of heavy imports: the CLI builds its options (and `--help`) from them at start-up.
"""

from __future__ import annotations

import functools

# The training methods of the formats (formats.FORMATS maps each to its format).
TRAINING_METHODS = ("supervised", "dpo", "reinforcement", "completion")
METHODS = ("auto", *TRAINING_METHODS)  # auto: detected from the data and the model
# Exact counters for the OpenAI encodings; auto: bpe-openai when installed, else tiktoken.
TOKENIZERS = ("auto", "tiktoken", "bpe-openai")
DEFAULT_TARGET = "generic"  # what a run checks for when no --provider or config names one


@functools.cache
def targets() -> tuple[str, ...]:
    """The built-in targets (``--provider``), read from models.toml (no pydantic: `--help` is fast)."""
    from ftlint import tomlload

    return tuple(tomlload.bundled("models.toml").get("providers", {}))
