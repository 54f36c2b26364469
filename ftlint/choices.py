"""The closed sets users choose from on the command line and in config, defined once.

Kept free of heavy imports: the CLI builds its options (and `--help`) from them at start-up.
"""

from __future__ import annotations

# The training methods of the formats (formats.FORMATS maps each to its format).
TRAINING_METHODS = ("supervised", "dpo", "reinforcement", "completion")
METHODS = ("auto", *TRAINING_METHODS)  # auto: detected from the data and the model
# Exact counters for the OpenAI encodings; auto: bpe-openai when installed, else tiktoken.
TOKENIZERS = ("auto", "tiktoken", "bpe-openai")
