"""FT8 for the other layouts: what Gemini preference tuning and TRL preference pairs need."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ftlint.formats import gemini as gemini_layout
from ftlint.formats.trl import shared_prefix
from ftlint.rule import ExampleContext, NoOptions, Rule, Scope
from ftlint.violation import Finding, Severity

GEMINI_PREFERENCE = frozenset({"gemini-preference"})


class GeminiPreferenceScores(Rule[NoOptions]):
    """A Gemini preference example's two completions are not one preferred (`score: 1`) and one
    dispreferred (`score: 0`).

    Why: "The pair must have one preferred completion and one dispreferred completion" (Vertex
    preference tuning "prepare data" page). Mind the page's Japanese translation, which swaps what 0
    and 1 mean (providers.md section 6.2): 1 is preferred.

    Example: `"completions": [{"score": 1, ...}, {"score": 1, ...}]`
    """

    code = "FT808"
    name = "gemini-preference-scores"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = GEMINI_PREFERENCE
    summary = "Completions are not one score 1 and one score 0"
    fix = "Score the preferred completion 1 and the other 0"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        completions = context.example.raw.get("completions")
        if not isinstance(completions, list) or len(completions) != 2:
            return  # FT104/FT110 report the count
        scores = [c.get("score") if isinstance(c, dict) else None for c in completions]
        if all(s in (0, 1) and not isinstance(s, bool) for s in scores) and scores[0] == scores[1]:
            yield Finding(f"both completions have score {scores[0]}; one must be 1 (preferred) and the other 0",
                          pointer="/completions/1/score")


class GeminiPreferenceEndsOnModel(Rule[NoOptions]):
    """A Gemini preference example's `contents` do not end on a user turn.

    Why: "It supports multi-turn text data that needs to end with a user turn" (Vertex preference
    tuning "prepare data" page): the completions are the model's reply to it.
    """

    code = "FT809"
    name = "gemini-preference-ends-on-model"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = GEMINI_PREFERENCE
    summary = "Preference contents do not end on a user turn"
    fix = "End `contents` on the user's turn; the completions answer it"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        messages = context.example.messages
        if messages and getattr(messages[-1], "native", None) == "model":
            yield Finding(f"contents end on {messages[-1].label}; they must end with the user turn the "
                          "completions answer", pointer=messages[-1].pointer)


class GeminiPreferenceNotText(Rule[NoOptions]):
    """A Gemini preference example holds a part that is not text (a file, a function call).

    Why: preference tuning "doesn't support multi-modal data"; its modality is text (Vertex
    preference tuning pages).
    """

    code = "FT810"
    name = "gemini-preference-not-text"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = GEMINI_PREFERENCE
    summary = "Non-text part in preference data"
    fix = "Keep preference examples to text parts"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for message in context.example.all_messages:
            for index, part in enumerate(gemini_layout.parts_of(message.raw)):
                kind = next((k for k in gemini_layout.PART_KINDS if k in part), None)
                if kind is not None and kind != "text":
                    yield Finding(f"{message.label} has a `{kind}` part; preference tuning takes text only",
                                  pointer=f"{message.pointer}/parts/{index}")


def _pair(context: ExampleContext) -> tuple[str, Any, Any] | None:
    """(pointer of the second answer, the two answers) of a TRL or Gemini preference example."""
    raw = context.example.raw
    if context.example.format == "trl-preference":
        return "/rejected", raw.get("chosen"), raw.get("rejected")
    completions = raw.get("completions")
    if isinstance(completions, list) and len(completions) == 2 and all(isinstance(c, dict) for c in completions):
        return "/completions/1/completion", completions[0].get("completion"), completions[1].get("completion")
    return None


class IdenticalChosenRejected(Rule[NoOptions]):
    """The chosen and rejected answers of a TRL or Gemini preference pair are the same.

    Why: a pair with no difference teaches no preference and only costs compute; usually a generation
    or join bug (as FT801 for OpenAI's layout). Warning.
    """

    code = "FT811"
    name = "identical-chosen-rejected"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    formats = frozenset({"trl-preference", "gemini-preference"})
    summary = "Chosen and rejected answers are identical"
    fix = "Pair the chosen answer with a different, worse one"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        pair = _pair(context)
        if pair is not None and pair[1] is not None and json.dumps(pair[1], sort_keys=True) == json.dumps(
                pair[2], sort_keys=True):
            yield Finding("the two answers of the pair are identical", pointer=pair[0])


class ImplicitPromptNotShared(Rule[NoOptions]):
    """A TRL preference pair without `prompt` whose `chosen` and `rejected` conversations share no
    beginning.

    Why: with an implicit prompt TRL takes the prompt to be the messages both sides start with
    (trl docs/source/dataset_formats.md); if they share none, the model is trained on two unrelated
    conversations with an empty prompt. Warning.
    """

    code = "FT812"
    name = "implicit-prompt-not-shared"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    formats = frozenset({"trl-preference"})
    summary = "Implicit-prompt pair shares no prompt"
    fix = "Start both sides with the same prompt messages, or give `prompt` explicitly"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        raw = context.example.raw
        chosen, rejected = raw.get("chosen"), raw.get("rejected")
        if "prompt" in raw or not isinstance(chosen, list) or not isinstance(rejected, list):
            return
        if shared_prefix(chosen, rejected) == 0:
            yield Finding("`chosen` and `rejected` start differently, so the implicit prompt is empty",
                          pointer="/rejected/0")


RULES = [GeminiPreferenceScores, GeminiPreferenceEndsOnModel, GeminiPreferenceNotText, IdenticalChosenRejected,
         ImplicitPromptNotShared]
