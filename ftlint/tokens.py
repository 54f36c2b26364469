"""Exact, offline token counting.

The BPE vocabularies ship inside the package (``ftlint/vocab``) and are checked
against the sha256 that tiktoken itself pins, so nothing is ever downloaded.
tiktoken does the encoding; ftlint only feeds it local ranks.

The per-example formula is OpenAI's public one (cookbook "How to count tokens
with tiktoken"), which matches the API exactly for string content:

    3 per message + tokens(role) + tokens(content) + tokens(name) + 1 per name
    + 3 for the reply priming (``<|start|>assistant<|message|>``)

What the cookbook does not cover is counted as documented in
``docs/tokens.md``: text parts count their text; a refusal counts its text;
each tool call counts its function name and arguments; each image counts 85
tokens (the ``detail: low`` price, a lower bound); ``tools`` definitions use the
cookbook's ``num_tokens_for_tools`` estimate.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftlint.digests import digest
from ftlint.formats import settings_of

if TYPE_CHECKING:
    import tiktoken


class VocabularyError(RuntimeError):
    """A shipped vocabulary is missing or does not match its pinned hash."""


class TokenizerFailure(Exception):
    """tiktoken could not encode a string (it panics on huge whitespace runs)."""


@dataclass(frozen=True)
class EncodingSpec:
    """How to build one tiktoken encoding from the shipped vocabulary."""

    name: str
    sha256: str  # tiktoken's own pin for the decompressed .tiktoken file
    pat_str: str
    special_tokens: dict[str, int]
    tools_func_init: int  # cookbook num_tokens_for_tools: 7 for o200k models, 10 for cl100k


_O200K_PAT = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_CL100K_PAT = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)

# Copied from tiktoken_ext/openai_public.py; tests/test_tokens.py proves they still agree.
ENCODINGS: dict[str, EncodingSpec] = {
    "o200k_base": EncodingSpec(
        name="o200k_base",
        sha256="446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        pat_str=_O200K_PAT,
        special_tokens={"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
        tools_func_init=7,
    ),
    "cl100k_base": EncodingSpec(
        name="cl100k_base",
        sha256="223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        pat_str=_CL100K_PAT,
        special_tokens={
            "<|endoftext|>": 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            "<|endofprompt|>": 100276,
        },
        tools_func_init=10,
    ),
}


def read_vocabulary(name: str) -> bytes:
    """Return the decompressed ``.tiktoken`` file for ``name``, hash-checked."""
    spec = _spec(name)
    try:
        packed = resources.files("ftlint").joinpath(f"vocab/{name}.tiktoken.gz").read_bytes()
    except FileNotFoundError as exc:
        raise VocabularyError(f"vocabulary {name!r} is not installed with ftlint: {exc}") from exc
    data = gzip.decompress(packed)
    checksum = hashlib.sha256(data).hexdigest()
    if checksum != spec.sha256:
        raise VocabularyError(
            f"vocabulary {name!r} is corrupt: sha256 {checksum} != pinned {spec.sha256}; reinstall ftlint"
        )
    return data


def parse_ranks(data: bytes) -> dict[bytes, int]:
    """Parse ``base64-token rank`` lines (the .tiktoken format) into mergeable ranks."""
    return {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in data.splitlines() if line)
    }


@functools.cache
def load_encoding(name: str) -> tiktoken.Encoding:
    """Build a tiktoken Encoding from the shipped, hash-checked vocabulary."""
    import tiktoken  # deferred: importing it is cheap, but `ftlint --version` should not pay

    spec = _spec(name)
    return tiktoken.Encoding(
        name=spec.name,
        pat_str=spec.pat_str,
        mergeable_ranks=parse_ranks(read_vocabulary(name)),
        special_tokens=dict(spec.special_tokens),
    )


def _spec(name: str) -> EncodingSpec:
    try:
        return ENCODINGS[name]
    except KeyError:
        known = ", ".join(sorted(ENCODINGS))
        raise VocabularyError(f"unknown encoding {name!r}; ftlint ships: {known}") from None


# Strings at least this long are memoized: repeated system prompts and tool
# schemas are common and long; shorter ones cost less to count than to look up.
# A string is found by its length and its first and last _KEY_CHARS characters, then
# compared in full (exact; hashing a 6,000-character prompt took ~7 us, more than the
# rest of a hit). The strings are kept up to _MEMO_MAX_CHARS characters in all, each
# entry charged _ENTRY_CHARS more for its key and tuples (~2-8 MB), then the memo
# starts over. Tool lists are kept by digest (count_tools).
_MEMO_MIN_CHARS = 256
_KEY_CHARS = 32
_ENTRY_CHARS = 64
_MEMO_MAX_ENTRIES = 16_384
_MEMO_MAX_CHARS = 2_000_000


def bpe_openai_available() -> bool:
    """Is the optional exact counter installed (``pip install ftlint[fast]``)?"""
    import importlib.util

    return importlib.util.find_spec("bpe_openai") is not None


def resolve_tokenizer(choice: str) -> str:
    """``auto`` means bpe-openai when installed (same counts, ~1.8x faster), else tiktoken."""
    if choice == "auto":
        return "bpe-openai" if bpe_openai_available() else "tiktoken"
    if choice == "bpe-openai" and not bpe_openai_available():
        raise VocabularyError("tokenizer `bpe-openai` is not installed: `pip install 'ftlint[fast]'`")
    return choice


def _bpe_openai_count(encoding_name: str) -> Callable[[str], int]:
    """The count function of bpe-openai's Rust extension.

    The extension is loaded on its own: the package's ``__init__`` spends ~0.3 s
    building a pure-Python vocabulary that ftlint does not use. The version is
    pinned by the ``fast`` extra, so the module's location is known.
    """
    import importlib.machinery
    import importlib.util

    package = importlib.util.find_spec("bpe_openai")
    if package is None or not package.submodule_search_locations:
        raise VocabularyError("tokenizer `bpe-openai` is not installed: `pip install 'ftlint[fast]'`")
    folder = Path(next(iter(package.submodule_search_locations)))
    found = sorted(folder.glob("_bindings*.so")) + sorted(folder.glob("_bindings*.pyd"))
    if not found:
        raise VocabularyError(f"bpe-openai's extension module is missing from {folder}; reinstall ftlint[fast]")
    loader = importlib.machinery.ExtensionFileLoader("bpe_openai._bindings", str(found[0]))
    spec = importlib.util.spec_from_file_location("bpe_openai._bindings", found[0], loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    count = module.tokenizer_for_encoding(encoding_name).count
    release_clean_pages(found[0])
    return count  # type: ignore[no-any-return]


def release_clean_pages(library: Path) -> int:
    """Drop the resident read-only, never-written pages of a loaded ``library``; return the KB dropped.

    bpe-openai embeds its vocabularies in its extension's read-only data (~32 MB
    for o200k) and reads them once, to build its tables; afterwards those pages
    are dead weight in the process's (and a parallel run's) resident memory.
    Only mappings that are wholly clean are dropped: the kernel reads a page back
    from the file if it is ever touched again, so nothing can change. Mappings
    with any written page (relocations) are left alone. Linux only; elsewhere,
    or on any error, nothing happens.
    """
    if not sys.platform.startswith("linux"):
        return 0
    import ctypes
    import mmap

    try:
        with open("/proc/self/smaps", encoding="utf-8", errors="replace") as smaps:
            path = str(library.resolve())
            clean = list(_clean_read_only_mappings(_mappings_of(smaps.read(), path), path))
        libc = ctypes.CDLL(None, use_errno=True)
        released = 0
        for start, end, resident in clean:
            if libc.madvise(ctypes.c_void_p(start), ctypes.c_size_t(end - start), mmap.MADV_DONTNEED) == 0:
                released += resident
        return released
    except (OSError, AttributeError, ValueError):
        return 0


_MAPPING_HEADER = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ", re.MULTILINE)


def _mappings_of(smaps: str, path: str) -> list[str]:
    """The lines of the mappings of ``path`` in the text of /proc/self/smaps: its header lines and
    their fields. A process has thousands of lines there, a library a few mappings: parsing only
    those saves ~5 ms of every start that loads bpe-openai."""
    lines: list[str] = []
    found = smaps.find(f" {path}\n")
    while found >= 0:
        header = smaps.rfind("\n", 0, found) + 1
        following = _MAPPING_HEADER.search(smaps, found + len(path) + 2)
        lines += smaps[header:following.start() if following else len(smaps)].splitlines()
        found = smaps.find(f" {path}\n", found + len(path) + 2)
    return lines


def _clean_read_only_mappings(smaps: Iterable[str], path: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, resident KB) of each read-only private mapping of ``path`` with no written page."""
    header: list[str] = []
    fields: dict[str, int] = {}
    for line in [*smaps, "end-of-input"]:
        head = line.split()
        if head and head[0].endswith(":"):  # "Rss:  1234 kB": a field of the current mapping
            if len(head) >= 2 and head[1].isdigit():
                fields[head[0][:-1]] = int(head[1])
            continue
        # A new mapping ("start-end perms offset device inode [path]"), or the end: judge the last one.
        written = fields.get("Private_Dirty", 1) + fields.get("Shared_Dirty", 1) + fields.get("Anonymous", 1)
        if len(header) >= 6 and header[1] == "r--p" and header[5] == path and written == 0:
            start, end = (int(bound, 16) for bound in header[0].split("-"))
            yield start, end, fields.get("Rss", 0)
        header, fields = head, {}


ESTIMATE = "estimate"  # the label of counts made without the model's tokenizer


def bytes_estimate(text: str) -> int:
    """A tokenizer-free estimate: ~4 bytes of UTF-8 per token, the usual rule of thumb for BPE on English."""
    return math.ceil(len(text.encode("utf-8", "surrogatepass")) / 4)


class TokenCounter:
    """Counts tokens of strings with one encoding; memoizes long repeated strings.

    tiktoken is the reference. bpe-openai, when chosen, gives the same counts
    (tests/test_tokens.py compares them) without building token lists.
    """

    def __init__(self, encoding_name: str, tokenizer: str = "tiktoken") -> None:
        self.encoding_name = encoding_name
        self.spec = _spec(encoding_name)
        self.tokenizer = resolve_tokenizer(tokenizer)
        if self.tokenizer == "bpe-openai":
            self._length = _bpe_openai_count(encoding_name)
        else:
            encode = load_encoding(encoding_name).encode_ordinary
            self._length = lambda text: len(encode(text))
        self._memo: dict[bytes, int] = {}
        self._texts: dict[tuple[int, str, str], tuple[str, int]] = {}
        self._texts_chars = 0
        self._role_cache: dict[str, int] = {}

    def count(self, text: str) -> int:
        """Exact number of tokens of ``text`` (special-token text counts as ordinary text)."""
        size = len(text)
        if size < _MEMO_MIN_CHARS:
            return self._count(text)
        # The key is cheap (hashing the whole string cost more than the rest of a hit); the stored
        # string is compared in full, so strings that share the key are counted, never confused.
        key = (size, text[:_KEY_CHARS], text[-_KEY_CHARS:])
        found = self._texts.get(key)
        if found is not None and found[0] == text:
            return found[1]
        tokens = self._count(text)
        self._texts_chars += size + _ENTRY_CHARS
        if self._texts_chars > _MEMO_MAX_CHARS:
            self._texts.clear()  # bounded memory; repeated strings come back quickly
            self._texts_chars = size + _ENTRY_CHARS
        self._texts[key] = (text, tokens)
        return tokens

    def count_role(self, role: str) -> int:
        cached = self._role_cache.get(role)
        if cached is None:
            cached = self._role_cache[role] = self._count(role)
        return cached

    def _count(self, text: str) -> int:
        try:
            return self._length(text)
        except UnicodeEncodeError:
            # Lone surrogates: count what tiktoken counts, the text with them replaced.
            return self._count(text.encode("utf-16", "surrogatepass").decode("utf-16", "replace"))
        except BaseException as exc:  # pyo3's PanicException derives from BaseException
            if type(exc).__name__ != "PanicException":
                raise
            raise TokenizerFailure(
                f"tokenizer failed on a {len(text):,}-character string ({_describe(text)})"
            ) from None


class EstimateCounter(TokenCounter):
    """For a model whose tokenizer ftlint has neither shipped nor found: UTF-8 bytes / 4 per string, in
    the same per-message formula. Reports label these counts ``estimate``, never as exact."""

    def __init__(self) -> None:
        self.encoding_name = ""
        self.spec = _spec("o200k_base")  # only its tools constant is used
        self.tokenizer = ESTIMATE
        self._length = bytes_estimate
        self._memo = {}
        self._texts = {}
        self._texts_chars = 0
        self._role_cache = {}


def _describe(text: str) -> str:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch.isspace() else 0
        longest = max(longest, run)
    return f"longest whitespace run {longest:,} characters"


# ---------------------------------------------------------------------------
# The per-example formula
# ---------------------------------------------------------------------------

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3
IMAGE_LOW_DETAIL = 85


@dataclass(frozen=True)
class MessageTokens:
    role: str
    total: int  # everything this message adds to the example
    body: int  # what the model produces for it: content, refusal, tool calls
    trainable: bool  # an assistant message whose weight is not 0


# One message as (role, total, body, trainable): the fields of MessageTokens, kept as a plain tuple
# because a frozen dataclass per message cost more than counting a short message (~0.7 us each).
_Part = tuple[str, int, int, bool]


@dataclass(frozen=True)
class ExampleTokens:
    total: int
    trainable: int
    parts: tuple[_Part, ...] = ()  # per message, in order; read them as ``messages``
    tools: int = 0
    images: int = 0
    images_estimated: int = 0  # remote images at high/auto detail: counted at the 85-token minimum

    @property
    def messages(self) -> tuple[MessageTokens, ...]:
        return tuple(MessageTokens(*part) for part in self.parts)

    def truncation(self, limit: int) -> tuple[int, int]:
        """Tokens lost when truncated from the end to ``limit``: (all, trainable)."""
        lost = self.total - limit
        if lost <= 0:
            return 0, 0
        remaining = lost - REPLY_PRIMING
        trainable_lost = 0
        for _, total, body, trainable in reversed(self.parts):
            if remaining <= 0:
                break
            cut = min(remaining, total)
            if trainable:
                trainable_lost += min(cut, body)
            remaining -= cut
        return lost, trainable_lost


def count_messages(messages: list[dict[str, Any]], counter: TokenCounter) -> ExampleTokens:
    """Count a schema-valid ``messages`` list with the public formula."""
    parts, images = _count_messages(messages, counter)
    return ExampleTokens(total=sum(part[1] for part in parts) + REPLY_PRIMING,
                         trainable=sum(part[2] for part in parts if part[3]), parts=parts, images=images[0],
                         images_estimated=images[1])


def _count_messages(messages: list[dict[str, Any]], counter: TokenCounter) -> tuple[tuple[_Part, ...], list[int]]:
    """Each message's (role, total, body, trainable), and the images seen and estimated."""
    count, roles = counter.count, counter._role_cache
    parts: list[_Part] = []
    images = [0, 0]  # seen, estimated
    for message in messages:
        role = message["role"]
        role_tokens = roles.get(role)
        if role_tokens is None:
            role_tokens = counter.count_role(role)
        content = message.get("content")
        if len(message) == 2 and type(content) is str:
            # The common shape, {"role", "content": "..."}: no refusal, calls, name or weight to look up.
            body = count(content)
            parts.append((role, TOKENS_PER_MESSAGE + role_tokens + body, body, role == "assistant"))
            continue
        body = _content_tokens(content, counter, images) + _message_body(message, counter)
        total = TOKENS_PER_MESSAGE + role_tokens + body
        name = message.get("name")
        if isinstance(name, str):
            total += count(name) + TOKENS_PER_NAME
        parts.append((role, total, body, role == "assistant" and message.get("weight", 1) != 0))
    return tuple(parts), images


def _message_body(message: dict[str, Any], counter: TokenCounter) -> int:
    """The tokens of a message's refusal and calls (its content is counted by _content_tokens)."""
    body = 0
    refusal = message.get("refusal")
    if isinstance(refusal, str):
        body += counter.count(refusal)
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        body += counter.count(function.get("name", "")) + counter.count(_arguments_text(function))
    function_call = message.get("function_call")
    if isinstance(function_call, dict):
        body += counter.count(function_call.get("name", "")) + counter.count(_arguments_text(function_call))
    return body


def _arguments_text(function: dict[str, Any]) -> str:
    """A call's arguments as text: the JSON string itself, or an object serialized as templates do."""
    arguments = function.get("arguments", "")
    return arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)


def _content_tokens(content: Any, counter: TokenCounter, images: list[int]) -> int:
    if isinstance(content, str):
        return counter.count(content)
    if not isinstance(content, list):
        return 0
    tokens = 0
    for part in content:
        kind = part.get("type")
        if kind == "text":
            tokens += counter.count(part.get("text", ""))
        elif kind == "refusal":
            tokens += counter.count(part.get("refusal", ""))
        elif kind == "image_url":
            tokens += _image_tokens(part.get("image_url") or {}, images)
    return tokens


def _image_tokens(image: dict[str, Any], images: list[int]) -> int:
    from ftlint.images import LOW_DETAIL_TOKENS, image_tokens, inspect_url

    images[0] += 1
    detail = image.get("detail")
    if detail == "low":
        return LOW_DETAIL_TOKENS  # exact whatever the size
    info = inspect_url(image.get("url", ""))
    if not info.width:
        images[1] += 1  # a remote (never fetched) or unreadable image: a lower bound
        return LOW_DETAIL_TOKENS
    return image_tokens(info.width, info.height, detail)


def count_tools(tools: list[dict[str, Any]], counter: TokenCounter) -> int:
    """Estimate the tokens of ``tools`` definitions (cookbook ``num_tokens_for_tools``).

    The cookbook's constants were measured against the API; it ignores nested
    objects, arrays and ``required``, and so does this estimate. Identical tool
    lists (common: the same tools on every line) are counted once.
    """
    if not tools:
        return 0
    key = b"tools:" + digest(tools)  # longer than the 16-byte keys of strings: the two never meet
    cached = counter._memo.get(key)
    if cached is None:
        if len(counter._memo) >= _MEMO_MAX_ENTRIES:
            counter._memo.clear()  # bounded memory, as the strings' memo
        cached = counter._memo[key] = _count_tools(tools, counter)
    return cached


def _count_tools(tools: list[dict[str, Any]], counter: TokenCounter) -> int:
    prop_init, prop_key, enum_init, enum_item, func_end = 3, 3, -3, 3, 12
    tokens = 0
    for tool in tools:
        function = tool.get("function") or {}
        tokens += counter.spec.tools_func_init
        description = _strip_period(function.get("description"))
        tokens += counter.count(f"{function.get('name', '')}:{description}")
        parameters = function.get("parameters")
        properties = parameters.get("properties") if isinstance(parameters, dict) else None
        if not isinstance(properties, dict) or not properties:
            continue
        tokens += prop_init
        for key, prop in properties.items():
            prop = prop if isinstance(prop, dict) else {}
            tokens += prop_key
            enum = prop.get("enum")
            if isinstance(enum, list):
                tokens += enum_init
                for item in enum:
                    text = item if isinstance(item, str) else json.dumps(item)
                    tokens += enum_item + counter.count(text)
            kind = prop.get("type", "")
            kind_text = kind if isinstance(kind, str) else json.dumps(kind)
            tokens += counter.count(f"{key}:{kind_text}:{_strip_period(prop.get('description'))}")
    return tokens + func_end


def _strip_period(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    return text[:-1] if text.endswith(".") else text


def count_record(value: dict[str, Any], format_name: str, counter: TokenCounter) -> ExampleTokens:
    """Count a schema-valid record of any format.

    chat and reinforcement: the message formula plus ``tools``; preference:
    the input messages and both outputs (what the job processes);
    completion: prompt plus completion, with no message overhead.
    """
    if format_name not in ("chat", "preference", "reinforcement", "completion"):
        from ftlint.formats import openai_equivalent  # another layout: counted as its OpenAI equivalent

        format_name, value = openai_equivalent(value, format_name)
    if format_name == "completion":
        prompt = counter.count(value["prompt"])
        completion = counter.count(value["completion"])
        return ExampleTokens(total=prompt + completion, trainable=completion)
    if format_name == "preference":
        source = value["input"]
        messages = source["messages"] + value["preferred_output"] + value["non_preferred_output"]
    else:
        messages = value["messages"]
    holder, _ = settings_of(value, format_name)
    # Legacy `functions` are the same definitions without the {"type": "function"} wrapper: the platform
    # renders both the same way, so both are counted with the tools formula.
    functions = holder.get("functions") or []
    tools = [*(holder.get("tools") or []), *({"type": "function", "function": f} for f in functions)]
    counted = count_messages(messages, counter)
    tool_tokens = count_tools(tools, counter)
    if not tool_tokens:
        return counted
    return replace(counted, total=counted.total + tool_tokens, tools=tool_tokens)
