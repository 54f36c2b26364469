"""Alpaca: `instruction`, optional `input`, `output`, optional `system` and `history`.

Source: hiyouga/LLaMA-Factory data/README.md and src/llamafactory/data/converter.py
(AlpacaDatasetConverter): the user turn is the instruction and the input joined by a newline,
`history` is a list of `[prompt, response]` pairs before it, and `output` is the answer.
An Alpaca record has an `input` key, and it is not a preference pair: its `instruction` or `output`
says so (ftlint.formats.family_of).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from ftlint.formats import Example, Format, LayoutExample, Turn, register, system_turn
from ftlint.formats.common import Converted, Strict, Unconvertible

Pair = Annotated[list[str], Field(min_length=2, max_length=2)]


class AlpacaRecord(Strict):
    instruction: str
    input: str | None = None
    output: str
    system: str | None = None
    history: list[Pair] | None = None
    images: list[str] | None = None
    videos: list[str] | None = None


def _view(value: dict[str, Any]) -> Example:
    found: list[Turn] = []
    history = value.get("history")
    for index, pair in enumerate(history if isinstance(history, list) else []):
        if isinstance(pair, list):
            for side, role in enumerate(("user", "assistant")[: len(pair)]):
                text = pair[side]
                pointer = f"/history/{index}/{side}"
                found.append(Turn(len(found), pointer, text, role, None,
                                  [(pointer, text)] if isinstance(text, str) else [], noun="history turn"))
    prompt = [(f"/{key}", value[key]) for key in ("instruction", "input") if isinstance(value.get(key), str)]
    query = {key: value[key] for key in ("instruction", "input") if key in value}  # the turn holds both
    found.append(Turn(len(found), "/instruction", query, "user", "instruction", prompt))
    output = value.get("output")
    found.append(Turn(len(found), "/output", output, "assistant", "output",
                      [("/output", output)] if isinstance(output, str) else []))
    keys: tuple[str, ...] = ("instruction", "input", "output", "history")
    system = value.get("system")
    if isinstance(system, str):
        found.insert(0, system_turn("/system", system, [("/system", system)], "system prompt"))
        keys += ("system",)
    return LayoutExample("alpaca", value, found, turn_keys=keys)


def to_openai(value: dict[str, Any]) -> Converted:
    for key in ("images", "videos"):
        if value.get(key):
            raise Unconvertible(f"`{key}` are file paths; OpenAI wants image parts with URLs", f"/{key}")
    messages: list[dict[str, Any]] = []
    if isinstance(value.get("system"), str):
        messages.append({"role": "system", "content": value["system"]})
    for prompt, response in value.get("history") or ():
        messages += [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}]
    query = [value[key] for key in ("instruction", "input") if value.get(key)]  # LLaMA-Factory skips empty ones
    messages += [{"role": "user", "content": "\n".join(query)}, {"role": "assistant", "content": value["output"]}]
    return Converted("chat", {"messages": messages})


register(Format("alpaca", "supervised", "alpaca", "ftlint.formats.alpaca:AlpacaRecord",
                "Alpaca instruction/input/output", layout="Alpaca",
                keys="`instruction`/`input`/`output`", build=_view, as_openai=to_openai),
         lambda v: "instruction" in v or ("output" in v and "preferred_output" not in v))
