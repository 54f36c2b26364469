"""The oracle: ftlint's open-model counts equal transformers' `apply_chat_template(..., tokenize=True)`.

For every real chat template under tests/data/templates and a BPE tokenizer trained here,
each fixture example, a sample of every corpus file, and hand-made cases (tools with object
arguments, multi-turn, weights, reasoning, image parts) are rendered by both. They must
agree on everything: the same failure (both raise), or the same text, the same token
count, and for templates with `{% generation %}` markers the same assistant-mask count.
transformers is a test-only dependency; the product never imports it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import warnings
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS, FIXTURES
from ftlint.hf import ChatModel, ChatTemplate, find_model_files
from hf_models import TEMPLATE_FAMILY, model_folder, template_text, train_tokenizer

transformers = pytest.importorskip("transformers")

PINNED = dt.datetime(2026, 11, 24)
# Examples per corpus file: the whole corpus through every template takes many minutes on this machine.
# FTLINT_ORACLE_FULL=1 takes every chat example of every corpus file.
CORPUS_SAMPLE = None if os.environ.get("FTLINT_ORACLE_FULL") else 12

WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city.",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
HANDMADE: list[dict[str, Any]] = [
    {"messages": [{"role": "user", "content": "Weather in Paris?"},
                  {"role": "assistant", "tool_calls": [{"id": "abcdefghi", "type": "function", "function": {
                      "name": "get_weather", "arguments": {"city": "Paris"}}}]},
                  {"role": "tool", "tool_call_id": "abcdefghi", "name": "get_weather", "content": "sunny, 21 C"},
                  {"role": "assistant", "content": "It is sunny in Paris."}], "tools": [WEATHER]},
    {"messages": [{"role": "system", "content": "Answer in French."}, {"role": "user", "content": "Hi"},
                  {"role": "assistant", "content": "Bonjour !", "weight": 0}, {"role": "user", "content": "Bye"},
                  {"role": "assistant", "content": "Au revoir."}]},
    {"messages": [{"role": "user", "content": "2+2?"},
                  {"role": "assistant", "content": "4", "reasoning_content": "Two and two make four."}]},
    {"messages": [{"role": "user", "content": "<think>x</think>"},
                  {"role": "assistant", "content": "<think>\nadd\n</think>\n\n4"},
                  {"role": "user", "content": "and 3+3?"}, {"role": "assistant", "content": "6"}]},
    {"messages": [{"role": "user", "content": [{"type": "text", "text": "What is shown?"}, {"type": "image"}]},
                  {"role": "assistant", "content": [{"type": "text", "text": "A cat."}]}]},
    {"messages": [{"role": "user", "content": "héllo wörld 日本語 🙂 " * 20},
                  {"role": "assistant", "content": "  spaced  \n\n answer \t"}]},
    {"messages": [{"role": "user", "content": "first"}, {"role": "user", "content": "second"},
                  {"role": "assistant", "content": "both"}]},
    {"messages": [{"role": "assistant", "content": "I start."}, {"role": "user", "content": "ok"}]},
]


def _examples() -> list[dict[str, Any]]:
    found = list(HANDMADE)
    files = sorted(FIXTURES.rglob("*.jsonl"))
    sampled = sorted(CORPUS.glob("*.jsonl")) if CORPUS.is_dir() else []
    for file in files + sampled:
        taken = 0
        for line in file.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict) and isinstance(value.get("messages"), list) and value["messages"] \
                    and all(isinstance(m, dict) for m in value["messages"]):
                found.append(value)
                taken += 1
            if file in sampled and CORPUS_SAMPLE is not None and taken >= CORPUS_SAMPLE:
                break
    return found


EXAMPLES = _examples()


@pytest.fixture(scope="module")
def tokenizer_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_tokenizer(tmp_path_factory.mktemp("tok") / "tokenizer.json")


def _reference(tokenizer: Any, example: dict[str, Any], generation: bool) -> tuple[str, int, int] | str:
    """What transformers renders and counts, or its exception's class name."""
    kwargs = {"tools": example.get("tools"), "return_dict": True, "return_assistant_tokens_mask": generation}
    try:
        text = tokenizer.apply_chat_template(example["messages"], tools=example.get("tools"), tokenize=False)
        out = tokenizer.apply_chat_template(example["messages"], tokenize=True, **kwargs)
    except Exception as exc:
        return type(exc).__name__
    masked = sum(out["assistant_masks"]) if generation else 0
    return text, len(out["input_ids"]), masked


def _pin_clock(template: str) -> None:
    """transformers' strftime_now reads the wall clock; ftlint's reads FTLINT_TODAY. Give both the same day."""
    from transformers.utils.chat_template_utils import _compile_jinja_template

    _compile_jinja_template(template).environment.globals["strftime_now"] = PINNED.strftime



def _model_and_reference(name: str, template: str, tokenizer_json: Path, tmp_path: Path) -> tuple[ChatModel, Any]:
    """ftlint's model and transformers' tokenizer, from one model folder with this template."""
    folder = model_folder(tmp_path / name, tokenizer_json, template, TEMPLATE_FAMILY[name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference_tokenizer = transformers.AutoTokenizer.from_pretrained(str(folder))
    _pin_clock(template)
    files = find_model_files(None, folder)
    assert files is not None
    return ChatModel.from_files(files), reference_tokenizer


@pytest.mark.parametrize("name", sorted(TEMPLATE_FAMILY))
def test_counts_equal_transformers(name: str, tokenizer_json: Path, tmp_path: Path) -> None:
    template = template_text(name)
    model, reference_tokenizer = _model_and_reference(name, template, tokenizer_json, tmp_path)
    generation = model.template() is not None and model.template().has_generation  # type: ignore[union-attr]
    mismatches, rendered = [], 0
    for index, example in enumerate(EXAMPLES):
        reference = _reference(reference_tokenizer, example, generation)
        analysis = model.analyse(example, "chat")
        assert analysis is not None
        if isinstance(reference, str):
            if analysis.counted is not None:
                mismatches.append((index, f"transformers raised {reference}, ftlint rendered"))
            continue
        counted = analysis.counted
        if counted is None:
            mismatches.append((index, f"ftlint failed: {analysis.rendering.error}"))
            continue
        rendered += 1
        mine = (analysis.rendering.text, counted.total, counted.trainable if generation else 0)
        if mine != reference:
            mismatches.append((index, f"{mine[1:]} != {reference[1:]}, text equal: {mine[0] == reference[0]}"))
    assert mismatches == []
    assert rendered >= 20, f"only {rendered} examples rendered: the comparison proves too little"


def _prefix_trainable(tokenizer: Any, template: str, example: dict[str, Any]) -> int | None:
    """Trainable tokens by the prefix rule, from transformers' own render of every prefix: assistant turn *i*
    (``weight`` not 0) is what the conversation through it adds to the conversation before it with the
    generation prompt; when the full text does not start with those renders, the added text is searched for in
    it after the previous turn. A token is trainable when its offsets overlap a turn. None: nothing is counted."""
    messages, tools = example["messages"], example.get("tools")

    def render(count: int, prompt: bool) -> str | None:
        # apply_chat_template refuses an empty conversation (it looks at its first message): its renderer does not
        from transformers.utils.chat_template_utils import render_jinja_template

        try:
            if count:
                text: str = tokenizer.apply_chat_template(messages[:count], tools=tools, tokenize=False,
                                                          add_generation_prompt=prompt)
                return text
            rendered, _ = render_jinja_template(conversations=[[]], tools=tools, chat_template=template,
                                                add_generation_prompt=prompt, **tokenizer.special_tokens_map)
        except Exception:
            return None
        empty: str = rendered[0]
        return empty

    full = render(len(messages), False)
    if full is None:
        return None
    spans: list[tuple[int, int]] = []
    for index, message in enumerate(messages):
        if message.get("role") != "assistant" or message.get("weight", 1) == 0:
            continue
        before, through = render(index, True), render(index + 1, False)
        if before is None or through is None:
            continue
        if through.startswith(before) and full.startswith(through):
            start, end = len(before), len(through)
        else:
            common = next((at for at, (a, b) in enumerate(zip(before, through, strict=False)) if a != b),
                          min(len(before), len(through)))
            answer = through[common:]
            start = full.find(answer, spans[-1][1] if spans else 0) if answer else -1
            if start < 0:
                continue
            end = start + len(answer)
        if end > start:
            spans.append((start, end))
    try:
        offsets = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
    except TypeError:  # a lone surrogate: the Rust side refuses the text (ftlint reports it uncounted)
        return None
    return sum(any(s < end and e > start for start, end in spans) for s, e in offsets)


@pytest.mark.parametrize("name", sorted(name for name in TEMPLATE_FAMILY
                                         if not ChatTemplate(template_text(name)).has_generation))
def test_prefix_spans_equal_transformers_renders_of_every_prefix(name: str, tokenizer_json: Path,
                                                                 tmp_path: Path) -> None:
    """A template without `{% generation %}`: ftlint renders the prefixes from one normalized conversation; the
    trainable tokens are those the same rule finds on transformers' own render of each prefix."""
    template = template_text(name)
    model, reference_tokenizer = _model_and_reference(name, template, tokenizer_json, tmp_path)
    mismatches, trained = [], 0
    for index, example in enumerate(EXAMPLES):
        analysis = model.analyse(example, "chat")
        reference = _prefix_trainable(reference_tokenizer, template, example)
        mine = analysis.counted.trainable if analysis is not None and analysis.counted is not None else None
        if mine != reference:
            mismatches.append((index, mine, reference))
        trained += bool(mine)
    assert mismatches == []
    assert trained >= 20, f"only {trained} examples had trainable tokens: the comparison proves too little"


def test_generation_spans_are_what_transformers_masks(tokenizer_json: Path, tmp_path: Path) -> None:
    """A training template marks assistant turns: ftlint counts them as trainable, and only them."""
    folder = model_folder(tmp_path / "m", tokenizer_json, template_text("qwen3_training"), "chatml")
    files = find_model_files(None, folder)
    assert files is not None
    analysis = ChatModel.from_files(files).analyse(HANDMADE[1], "chat")
    assert analysis is not None and analysis.counted is not None
    assert analysis.counted.source == "generation"
    assert 0 < analysis.counted.trainable < analysis.counted.total


def test_the_product_never_imports_transformers() -> None:
    import subprocess
    import sys

    code = ("import sys, ftlint.hf, ftlint.hf.counter, ftlint.hf.template, ftlint.rules.templates, ftlint.cli;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('transformers', 'torch')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_run_for_openai_loads_nothing_of_the_open_model_path(tmp_path: Path) -> None:
    """Every run asks ftlint.hf whether it has an open model; for OpenAI's models the answer costs no
    template engine, tokenizer or the hf modules behind them (start-up). A fresh process."""
    import subprocess
    import sys

    data = tmp_path / "train.jsonl"
    data.write_text(json.dumps({"messages": [{"role": "user", "content": "Hi?"},
                                             {"role": "assistant", "content": "Hello."}]}) + "\n")
    code = ("import sys, ftlint; ftlint.lint_file(sys.argv[1], provider='openai'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jinja2', 'tokenizers', 'regex')"
            " or m.startswith('ftlint.hf.') and m != 'ftlint.hf.setup'))")
    out = subprocess.run([sys.executable, "-c", code, str(data)], capture_output=True, text=True, check=True,
                         cwd=tmp_path).stdout
    assert out.strip() == "[]"
