"""FT3: tokens. Exact counts against the model's limit, and text the tokenizer treats specially."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from ftlint.prefilter import literal
from ftlint.rule import ExampleContext, NoOptions, Options, Rule, Scope
from ftlint.violation import Finding, Severity

# tiktoken's special tokens (cl100k_base, o200k_base), ChatML and the harmony format.
SPECIAL_TOKENS = (
    "<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>",
    "<|im_start|>", "<|im_end|>", "<|im_sep|>",
    "<|start|>", "<|end|>", "<|message|>", "<|channel|>", "<|constrain|>", "<|return|>", "<|call|>",
)
_SPECIAL_LIKE = re.compile(r"<\|[a-z_0-9]+\|>")


class ExampleOverContextLimit(Rule[NoOptions]):
    """The example has more tokens than the model's training context.

    Why: accepted, but "examples longer than the default will be truncated to
    the maximum context length which removes tokens from the end": the
    assistant's answer, the part that trains, is what gets cut. Warning.

    Use instead: shorten the example, split the conversation, or pick a model
    with a longer training context (`ftlint models`).
    """

    code = "FT301"
    name = "example-over-context-limit"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    needs_tokens = True
    summary = "Example is longer than the model's training context"
    fix = "Shorten or split the example"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        tokens = context.tokens
        limit = context.run.model.training_context
        if tokens is None or limit is None or tokens.total <= limit:
            return
        lost, trainable_lost = tokens.truncation(limit)
        yield Finding(
            f"example has {tokens.total:,} tokens, over {context.run.model.id}'s {limit:,}-token "
            f"training context: truncation from the end drops {lost:,} tokens "
            f"({trainable_lost:,} of them trainable assistant tokens)"
        )


class SpecialTokenOptions(Options):
    tokens: tuple[str, ...] = SPECIAL_TOKENS


class SpecialTokenText(Rule[SpecialTokenOptions]):
    """Message text contains a tokenizer special-token string such as `<|endoftext|>`.

    Why: rejected: `Invalid file format. Example 6174 message contains an
    invalid token: <|fim_suffix|>.` Usually scraped model output or code.

    Example: `{"role": "user", "content": "Fill: def f():<|fim_suffix|>"}`
    Use instead: remove the marker, or break it up (`<| endoftext |>`).
    """

    code = "FT302"
    name = "special-token-text"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    summary = "Text contains a special-token string"
    fix = "Remove the special-token string from the text"
    options_model = SpecialTokenOptions

    def __init__(self, options: SpecialTokenOptions | None = None) -> None:
        super().__init__(options)
        # "<|" for the defaults: a cheap prefilter that most texts stop at
        self._prefix = os.path.commonprefix(list(self.options.tokens))  # noqa: RUF071 - strings, not paths
        self.prefilter = literal(*self.options.tokens)

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        prefix = self._prefix
        for pointer, text in context.example.texts():
            if prefix not in text:
                continue
            found = sorted({token for token in self.options.tokens if token in text})
            if found:
                yield Finding(f"text contains special token(s) {', '.join(found)}, which the provider "
                              "rejects (\"message contains an invalid token\")", pointer=pointer)


class SpecialTokenLikeText(Rule[SpecialTokenOptions]):
    """Text contains a `<|name|>` marker that looks like a special token but is not a known one.

    Why: such markers are usually chat-template leftovers; other tokenizers
    may treat them as control tokens. Warning.
    """

    code = "FT303"
    name = "special-token-like-text"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Text contains a special-token-like marker"
    fix = "Remove the template marker from the text"
    options_model = SpecialTokenOptions
    prefilter = r"<\|"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for pointer, text in context.example.texts():
            if "<|" not in text:
                continue
            found = sorted({m for m in _SPECIAL_LIKE.findall(text) if m not in self.options.tokens})
            if found:
                yield Finding(f"text contains marker(s) {', '.join(found[:5])} that look like special "
                              "tokens", pointer=pointer)


class UntokenizableText(Rule[NoOptions]):
    """The tokenizer could not count this example (tiktoken panics on ~1M-character whitespace runs).

    Why: ftlint will not print a token total it did not compute; the example is
    left out of the totals and reported. Such text is almost always garbage.
    """

    code = "FT304"
    name = "untokenizable-text"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    needs_tokens = True
    summary = "Tokenizer could not count the example"
    fix = "Remove the huge whitespace run or binary-like text"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        if context.tokenizer_error:
            yield Finding(f"{context.tokenizer_error}; the example is left out of the token totals")


RULES = [ExampleOverContextLimit, SpecialTokenText, SpecialTokenLikeText, UntokenizableText]
