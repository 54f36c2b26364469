"""From a run's settings to its open-model setup (the one function the engine calls)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ftlint.hf import ChatSetup, is_tokenizer_path, load_chat_setup

if TYPE_CHECKING:
    from ftlint.catalog import ModelInfo
    from ftlint.config import Settings
    from ftlint.rule import ExampleContext
    from ftlint.stats import FileTotals

__all__ = ["ChatSetup", "analyse_example", "setup_for_settings"]


def setup_for_settings(settings: Settings, model: ModelInfo, root: Path) -> ChatSetup | None:
    """The open-model setup the settings ask for, or None (the OpenAI counters then apply).

    A tokenizer path or a chat template (the run's, else the model's own entry in the
    catalog or config) is an explicit request: finding nothing is an error. A model id
    ``ORG/NAME`` without either is looked up in the local Hugging Face cache and in the
    shipped templates, and simply has no setup when absent. Raises ValueError
    (ModelFilesError, TemplateCompileError) with a message for the user.
    """
    tokenizer = settings.tokenizer if is_tokenizer_path(settings.tokenizer) else model.tokenizer
    chat_template = settings.chat_template or model.chat_template
    explicit = is_tokenizer_path(tokenizer) or chat_template is not None
    if not explicit and "/" not in model.id:
        return None
    return load_chat_setup(model.id, tokenizer=tokenizer, chat_template=chat_template,
                           root=root, max_seq_length=settings.max_seq_length,
                           assistant_only_loss=settings.assistant_only_loss, required=explicit)


def analyse_example(setup: ChatSetup, context: ExampleContext, totals: FileTotals, count_tokens: bool,
                    billable: bool) -> bool:
    """Render a valid example through the model's template into ``context.chat``, and add its counts to
    ``totals``; False when the template does not apply to its format (the caller counts it another way)."""
    context.chat = setup.model.analyse(context.example.raw, context.example.format)
    if context.chat is None:
        return False
    counted = context.chat.counted
    if not count_tokens:
        return True
    if counted is None:
        totals.uncounted += 1  # the template or tokenizer failed: a trainer would stop here (FT310)
    else:
        totals.add_example(counted.total, counted.trainable, setup.max_seq_length, billable)
    return True
