"""Test support for open models: a small byte-level BPE tokenizer trained here, and model folders around it.

Nothing is downloaded: the tokenizer is trained on the repository's own fixtures with the
`tokenizers` library, with the special tokens each chat template under
tests/data/templates needs (see SOURCES.md there).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parent / "data" / "templates"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# Per template family: the named special tokens its tokenizer_config.json holds (as on the Hub).
FAMILIES: dict[str, dict[str, str]] = {
    "chatml": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "llama3": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "gemma": {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>"},
    "mistral": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
    "harmony": {"bos_token": "<|startoftext|>", "eos_token": "<|return|>", "pad_token": "<|endoftext|>"},
    "deepseek": {"bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>"},
}
TEMPLATE_FAMILY = {
    "qwen2_5": "chatml", "qwen2_5_training": "chatml", "qwen3": "chatml", "qwen3_training": "chatml",
    "qwen3_5_think": "chatml", "qwen3_5_think_training": "chatml", "llama3": "llama3", "llama3_training": "llama3",
    "llama3_1": "llama3", "llama3_2": "llama3", "gemma": "gemma", "gemma_training": "gemma", "gemma3": "gemma",
    "gemma3_training": "gemma", "mistral_nemo": "mistral", "gptoss": "harmony", "gptoss_training": "harmony",
    "deepseekv3": "deepseek",
}
SPECIAL_TOKENS = sorted({
    *(token for family in FAMILIES.values() for token in family.values()),
    "<|im_start|>", "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>", "<|python_tag|>",
    "<start_of_turn>", "<end_of_turn>", "<start_of_image>", "[INST]", "[/INST]", "[TOOL_CALLS]",
    "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]",
    "<|start|>", "<|end|>", "<|message|>", "<|channel|>", "<|constrain|>", "<|call|>",
    "<｜User｜>", "<｜Assistant｜>", "<｜tool▁calls▁begin｜>", "<｜tool▁calls▁end｜>", "<｜tool▁call▁begin｜>",
    "<｜tool▁call▁end｜>", "<｜tool▁sep｜>", "<｜tool▁outputs▁begin｜>", "<｜tool▁outputs▁end｜>",
    "<｜tool▁output▁begin｜>", "<｜tool▁output▁end｜>",
})


def train_tokenizer(path: Path, vocab_size: int = 3000, texts: list[str] | None = None) -> Path:
    """A byte-level BPE ``tokenizer.json`` trained on the fixtures (or ``texts``), with every special token."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    corpus = texts if texts is not None else [
        file.read_text(encoding="utf-8", errors="replace") for file in sorted(FIXTURES.rglob("*.jsonl"))]
    tokenizer.train_from_iterator(corpus, trainer)
    path.parent.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(path))
    return path


def model_folder(folder: Path, tokenizer_json: Path, template: str, family: str,
                 extra_config: dict[str, Any] | None = None) -> Path:
    """A model folder as the Hub has it: tokenizer.json, tokenizer_config.json with the chat template."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tokenizer.json").write_bytes(tokenizer_json.read_bytes())
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "chat_template": template, **FAMILIES[family],
              **(extra_config or {})}
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


def template_text(name: str) -> str:
    return (TEMPLATES / f"{name}.jinja").read_text(encoding="utf-8")
