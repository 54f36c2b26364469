"""Open-weight models, offline: a model's own chat template and tokenizer, as a Hugging Face trainer uses them.

The public surface:

- :func:`find_model_files` finds a model's ``tokenizer.json``, config and templates
  on this machine (an explicit path, or the local Hugging Face cache);
- :class:`ChatTemplate` compiles a template once and renders conversations with
  transformers' semantics (:class:`Rendering`: text, ``{% generation %}`` spans, error);
- :class:`ChatModel` renders and counts one example (:meth:`ChatModel.analyse`);
- :func:`load_chat_setup` builds what a run needs from its settings (:class:`ChatSetup`).

Nothing here imports ``transformers`` or torch, and nothing touches the network.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftlint.choices import TOKENIZERS

if TYPE_CHECKING:
    from ftlint.hf.counter import Counted, HfTokenizer
    from ftlint.hf.files import ModelFiles, ModelFilesError, find_model_files, hub_cache_dirs, not_found_message
    from ftlint.hf.model import ChatAnalysis, ChatModel, TemplateFacts
    from ftlint.hf.shipped import ShippedTemplate, shipped_template
    from ftlint.hf.template import ChatTemplate, Rendering, TemplateCompileError

# The names re-exported from the submodules, imported on first use: every run asks this package whether
# it has an open model (ftlint.hf.setup), and a run for OpenAI's models must not pay for the answer.
_LAZY = {
    **dict.fromkeys(("Counted", "HfTokenizer"), "ftlint.hf.counter"),
    **dict.fromkeys(("ModelFiles", "ModelFilesError", "find_model_files", "hub_cache_dirs", "not_found_message"),
                    "ftlint.hf.files"),
    **dict.fromkeys(("ChatAnalysis", "ChatModel", "TemplateFacts"), "ftlint.hf.model"),
    **dict.fromkeys(("ShippedTemplate", "shipped_template"), "ftlint.hf.shipped"),
    **dict.fromkeys(("ChatTemplate", "Rendering", "TemplateCompileError"), "ftlint.hf.template"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)

# TRL's SFTConfig.max_length when none is given (trl/trainer/sft_config.py: `max_length: int | None = 1024`).
TRL_DEFAULT_MAX_LENGTH = 1024

__all__ = [
    "TRL_DEFAULT_MAX_LENGTH", "ChatAnalysis", "ChatModel", "ChatSetup", "ChatTemplate",
    "Counted", "HfTokenizer", "ModelFiles", "ModelFilesError", "Rendering", "ShippedTemplate",
    "TemplateCompileError", "TemplateFacts", "find_model_files", "hub_cache_dirs", "load_chat_setup",
    "not_found_message", "shipped_template",
]


@dataclass(frozen=True)
class ChatSetup:
    """What a run knows about its open model: the model, its sequence limit and its loss masking."""

    model: ChatModel
    max_seq_length: int
    max_seq_length_given: bool  # False: TRL's default was assumed
    assistant_only_loss: bool = False

    @property
    def label(self) -> str:
        """How the report names the counter (``cost.tokenizer``): the model's tokenizer.json (exact), or an
        estimate (a template without a tokenizer: UTF-8 bytes / 4 of the rendering)."""
        return "tokenizer.json" if self.model.exact else "estimate"


def is_tokenizer_path(value: str | None) -> bool:
    """Is ``--tokenizer`` / ``tokenizer =`` a path to model files rather than one of the OpenAI counters?"""
    return bool(value) and value not in TOKENIZERS


def load_chat_setup(model_id: str, *, tokenizer: str | None = None, chat_template: str | None = None,
                    root: Path | None = None, max_seq_length: int | None = None, assistant_only_loss: bool = False,
                    required: bool = False, environ: Mapping[str, str] | None = None) -> ChatSetup | None:
    """The run's open-model setup, or None when ``model_id`` is not one ftlint has anything for.

    Sources, most explicit first: ``tokenizer`` as a path; the local Hugging Face
    cache for an ``ORG/NAME`` id; the templates shipped with ftlint (counts are then
    estimates). ``chat_template`` (a path) replaces whichever template was found.
    Paths are relative to ``root`` (the config file's folder). With ``required``,
    finding nothing is an error that says where to put the files.
    """
    from ftlint.hf.files import ModelFiles, ModelFilesError, find_model_files, not_found_message
    from ftlint.hf.model import ChatModel
    from ftlint.hf.shipped import shipped_template
    from ftlint.hf.template import ChatTemplate, TemplateCompileError

    base = root or Path.cwd()
    path = (base / tokenizer) if is_tokenizer_path(tokenizer) and tokenizer is not None else None
    files = find_model_files(model_id, path, environ)
    override, override_origin = None, ""
    if chat_template:
        from ftlint.hf.files import read_template

        template_path = base / chat_template
        if not template_path.is_file():
            raise ModelFilesError(f"chat template {template_path} does not exist")
        override, override_origin = read_template(template_path), str(template_path)
    shipped = shipped_template(model_id)
    if files is None and shipped is not None:
        files = ModelFiles(origin=f"ftlint's {shipped.name} template", special_tokens=shipped.special_tokens,
                           templates={"default": shipped.text}, template_origin=shipped.source)
    if files is None and override is not None:
        files = ModelFiles(origin=override_origin)
    if files is None:
        if required:
            raise ModelFilesError(not_found_message(model_id, environ))
        return None
    extra = shipped.control_tokens if shipped is not None and files.tokenizer_json is None else ()
    model = ChatModel.from_files(files, template_text=override, template_origin=override_origin,
                                 extra_control_tokens=extra)
    for text in model.templates.values():  # compile now: a broken template is a usage error, not one per line
        try:
            ChatTemplate.compile(text)
        except TemplateCompileError as exc:
            raise TemplateCompileError(f"chat template {model.template_origin}: {exc}") from None
    return ChatSetup(model, max_seq_length or TRL_DEFAULT_MAX_LENGTH, max_seq_length is not None,
                     assistant_only_loss)
