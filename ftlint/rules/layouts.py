"""Rules of the other layouts: a one-line diagnosis when the target does not read the file's layout,
and what ShareGPT, Nova and Gemini need beyond their schemas (order, reserved text, media, tools).

Codes sit in the families of what they judge: FT11x schema, FT21x roles, FT42x content, FT61x tools
(FT8xx preference methods live in ftlint/rules/layout_methods.py). Facts come from
models.toml (a target's `formats` and `convert`, a model's `function_calls`, `[layouts.NAME]`),
never from a target's name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ftlint.catalog import layout_facts
from ftlint.formats import FORMATS, Example, Message
from ftlint.formats import gemini as gemini_layout
from ftlint.formats import nova as nova_layout
from ftlint.formats import sharegpt as sharegpt_layout
from ftlint.masking import quote
from ftlint.rule import DatasetRule, ExampleContext, FileContext, NoOptions, Rule, Scope
from ftlint.violation import Finding, Severity

SHAREGPT = frozenset({"sharegpt"})
NOVA = frozenset({"nova"})
GEMINI = frozenset({"gemini"})
GEMINI_ALL = frozenset({"gemini", "gemini-preference"})


class LayoutNotAccepted(Rule[NoOptions]):
    """The file is in a layout the target does not read (ShareGPT for OpenAI, OpenAI chat for Vertex...).

    Why: the platform rejects every line, and a per-line wall of missing and unknown keys hides the one
    thing to do: convert the file. ftlint detects the layout (TRL, ShareGPT, Alpaca, Gemini, Nova,
    OpenAI), validates it as that layout, and says once which layout the target wants and whether
    `ftlint convert` can rewrite it. Which layouts a target reads is data
    (a target's `formats` in models.toml, from ../shared/spec/providers.md section 12).

    Example: `{"conversations": [{"from": "human", "value": "hi"}, ...]}` checked for OpenAI.
    Use instead: `ftlint convert data.jsonl --to openai -o data.openai.jsonl`.
    """

    code = "FT114"
    name = "layout-not-accepted"
    severity = Severity.ERROR
    scope = Scope.FILE
    summary = "The target does not read this layout"
    fix = "Convert the file with `ftlint convert --to TARGET`, or check it for the target that reads it"

    def check(self, context: FileContext) -> Iterator[Finding]:
        target = context.run.target
        if target.reads(context.format) or context.format is None:
            return
        found = FORMATS[context.format]
        # What the target wants for the same training method (TRL's pairs for OpenAI's), else its first.
        same = [name for name in target.formats if FORMATS[name].method == found.method]
        wanted = FORMATS[(same or target.formats)[0]]
        how = (f"`ftlint convert FILE --to {target.convert} -o OUT` can rewrite it"
               if target.convert and found.converts else "ftlint cannot convert it")
        yield Finding(f"this is the {found.layout} layout ({found.keys}); {target.name} wants the "
                      f"{wanted.layout} layout ({wanted.keys}); {how}", line=1)


def _media_uris(example: Example) -> Iterator[tuple[str, str, str]]:
    """(pointer, uri, layout) of every media reference of a Nova or Gemini record."""
    raw = example.raw
    if example.format == "nova":
        for pointer, _, item in nova_layout.media(raw):
            location = item.get("source", {}).get("s3Location") if isinstance(item.get("source"), dict) else None
            if isinstance(location, dict) and isinstance(location.get("uri"), str):
                yield f"{pointer}/source/s3Location/uri", location["uri"], "nova"
        return
    for message in example.all_messages:
        for index, part in enumerate(gemini_layout.parts_of(message.raw)):
            data = part.get("fileData")
            if isinstance(data, dict) and isinstance(data.get("fileUri"), str):
                yield f"{message.pointer}/parts/{index}/fileData/fileUri", data["fileUri"], "gemini"


class InvalidMediaUri(Rule[NoOptions]):
    """A Nova media `s3Location.uri` or a Gemini `fileData.fileUri` is not a URI the platform reads.

    Why: Nova reads media from S3 (`s3://`, in the same bucket as the data; AWS's validator allows only
    letters, digits, `_`, `-`, `.` and `/` in the key: "Invalid S3 URI, must start with 's3://'");
    Vertex tuning reads `fileData` from Cloud Storage (`gs://`). Sources: the Nova user guide and
    aws-samples nova_ft_dataset_validator.py; the Vertex supervised tuning "prepare data" page.

    Example: `{"image": {"format": "png", "source": {"s3Location": {"uri": "https://x/y.png"}}}}`
    Use instead: `"uri": "s3://my-bucket/images/y.png"`.
    """

    code = "FT115"
    name = "invalid-media-uri"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = NOVA | GEMINI_ALL
    summary = "Media URI is not one the platform reads"
    fix = "Upload the file to the platform's storage and use its s3:// or gs:// URI"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for pointer, uri, layout in _media_uris(context.example):
            facts = layout_facts(layout)
            if facts.media_uri is not None and not facts.media_uri.match(uri):
                yield Finding(f"media URI `{quote(uri, 80)}` is not {facts.media_uri_rule}", pointer=pointer)


def _turns(example: Example) -> list[Message]:
    """The example's turns, without the system prompt a layout keeps outside them."""
    return [message for message in example.messages if message.index >= 0]


def _known_turns(example: Example) -> bool:
    return all(getattr(turn, "native", None) in sharegpt_layout.FROM for turn in _turns(example))


class ShareGPTTurnOutOfPlace(Rule[NoOptions]):
    """A ShareGPT turn is in the wrong position: human and observation turns go at odd positions,
    gpt and function_call turns at even ones (after an optional leading system turn).

    Why: LLaMA-Factory skips the example ("Invalid role tag in [...]. Skipping this abnormal
    example."), so it silently never trains. Source: hiyouga/LLaMA-Factory data/README.md and
    src/llamafactory/data/converter.py (SharegptDatasetConverter).

    Example: `[{"from": "human", ...}, {"from": "human", ...}, {"from": "gpt", ...}]`
    Use instead: merge the two human turns, or put the missing gpt answer between them.
    """

    code = "FT210"
    name = "sharegpt-turn-out-of-place"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = SHAREGPT
    summary = "ShareGPT turn at the wrong position"
    fix = "Alternate human/observation and gpt/function_call turns"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        if not _known_turns(context.example):
            return  # FT105 reports the unknown `from`
        wrong, _ = sharegpt_layout.misplaced(context.example.raw)
        for turn in wrong[:1]:  # LLaMA-Factory stops at the first: so does the report
            side = "a human or observation" if turn.native in sharegpt_layout.ANSWER_SIDE else "a gpt or function_call"
            yield Finding(f"{turn.label} is where {side} turn belongs; LLaMA-Factory skips this example "
                          "(\"Invalid role tag\")", pointer=f"{turn.pointer}/from")


class ShareGPTEndsOnPrompt(Rule[NoOptions]):
    """A ShareGPT conversation ends on a human or observation turn (an odd number of turns).

    Why: LLaMA-Factory skips it ("Invalid message count in [...]"): every example must end on the
    answer to learn. Source: src/llamafactory/data/converter.py.
    """

    code = "FT211"
    name = "sharegpt-ends-on-prompt"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = SHAREGPT
    summary = "ShareGPT conversation does not end on a gpt turn"
    fix = "End the conversation on the gpt (or function_call) answer"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        wrong, ends_on_prompt = sharegpt_layout.misplaced(context.example.raw)
        messages = context.example.messages
        if ends_on_prompt and not wrong and messages and _known_turns(context.example):
            yield Finding(f"the conversation ends on {messages[-1].label}; LLaMA-Factory skips it (\"Invalid message "
                          "count\")", pointer=messages[-1].pointer)


class NovaRoleOrder(Rule[NoOptions]):
    """A Nova conversation does not start with the user and alternate user, assistant, user...

    Why: the job's validation fails: "Invalid messages, expected user role but found assistant".
    Source: the Nova user guide and aws-samples nova_ft_dataset_validator.py (check_roles_order).

    Example: `[{"role": "user", ...}, {"role": "user", ...}, {"role": "assistant", ...}]`
    Use instead: merge consecutive turns of one role (`ftlint convert --to nova` does, and says so).
    """

    code = "FT212"
    name = "nova-role-order"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = NOVA
    summary = "Nova roles do not alternate from a user turn"
    fix = "Start with the user and alternate user and assistant turns"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        turns = _turns(context.example)
        if any(message.role is None for message in turns):
            return  # FT101/FT105 report the unusable role
        for position, message in enumerate(turns):
            expected = "user" if position % 2 == 0 else "assistant"
            if message.role is not None and message.role != expected:
                article = "a" if expected == "user" else "an"
                yield Finding(f"{message.label} is where {article} {expected} turn belongs (\"Invalid messages, "
                              f"expected {expected} role but found {message.role}\")",
                              pointer=f"{message.pointer}/role")
                return


class NovaLastTurnNotAssistant(Rule[NoOptions]):
    """A Nova conversation does not end on an assistant turn, or has fewer than two turns.

    Why: rejected: "Invalid messages, last turn should have assistant role" (AWS's validator,
    nova_ft_dataset_validator.py).
    """

    code = "FT213"
    name = "nova-last-turn-not-assistant"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = NOVA
    summary = "Nova conversation does not end on an assistant turn"
    fix = "End on the assistant's answer"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        messages = context.example.messages
        if messages and messages[-1].role == "user":
            yield Finding(f"the conversation ends on {messages[-1].label} (\"Invalid messages, last turn should "
                          "have assistant role\")", pointer=messages[-1].pointer)


class GeminiNoModelTurn(Rule[NoOptions]):
    """A Gemini tuning example has no `model` turn.

    Why: Vertex trains on the model's turns; an example without one teaches nothing (and a file of
    OpenAI `assistant` roles renamed by hand often misses this). Source: the supervised tuning
    "prepare data" page: roles are `user` and `model`.
    """

    code = "FT214"
    name = "gemini-no-model-turn"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = GEMINI
    summary = "Gemini example has no model turn"
    fix = "Add the model's answer as a turn with role `model`"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        natives = [getattr(m, "native", None) for m in _turns(context.example)]
        if natives and set(natives) <= {"user"}:  # FT105 reports unknown roles
            yield Finding("no turn has role `model`; the example trains nothing", pointer="/contents")


class GeminiLastTurnNotModel(Rule[NoOptions]):
    """A Gemini tuning example does not end on a `model` turn.

    Why: uncertain. The trailing user turn teaches nothing; whether Vertex rejects it is not documented
    (providers.md section 12.4). Warning.
    """

    code = "FT215"
    name = "gemini-last-turn-not-model"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    formats = GEMINI
    summary = "Gemini example does not end on a model turn"
    fix = "End the example on the model's answer"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        messages = _turns(context.example)
        natives = [getattr(m, "native", None) for m in messages]
        if messages and "model" in natives and natives[-1] == "user":
            yield Finding(f"the example ends on {messages[-1].label}, which teaches nothing",
                          pointer=messages[-1].pointer)


class NovaReservedKeyword(Rule[NoOptions]):
    """Nova text contains a keyword Nova reserves: `User:`, `Bot:`, `Assistant:`, `System:`, `<image>`,
    `<video>`, `[EOS]` (and, per AWS's validator, their upper-case forms and `Thought:`).

    Why: the job fails ("Invalid text content, following tokens are invalid: `User:`"). Transcripts
    pasted into one message are the usual cause. Source: the Nova user guide; the keyword list is data
    (`[layouts.nova]` in models.toml, from nova_ft_dataset_validator.py).

    Example: `{"text": "User: where is my order?\\nAssistant: ..."}`
    Use instead: one turn per speaker, without the speaker labels.
    """

    code = "FT425"
    name = "nova-reserved-keyword"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = NOVA
    summary = "Text contains a keyword Nova reserves"
    fix = "Remove the keyword (split transcripts into turns)"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        keywords = layout_facts("nova").reserved_keywords
        for pointer, text in context.example.texts():
            found = [keyword for keyword in keywords if keyword in text]
            if found:
                shown = ", ".join(f"`{keyword}`" for keyword in found)
                yield Finding(f"text contains {shown}, reserved by Nova (\"Invalid text content, following tokens "
                              f"are invalid: {shown}\")", pointer=pointer)


class NovaMediaInAssistantTurn(Rule[NoOptions]):
    """An image or video in a Nova assistant turn.

    Why: rejected: "Invalid content, image/video cannot be included when role is 'assistant'"
    (nova_ft_dataset_validator.py).
    """

    code = "FT426"
    name = "nova-media-in-assistant-turn"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = NOVA
    summary = "Image or video in a Nova assistant turn"
    fix = "Move the media into the user turn"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for message in context.example.messages:
            if message.role != "assistant":
                continue
            for index, block in enumerate(nova_layout.blocks(message.raw)):
                for kind in ("image", "video"):
                    if kind in block:
                        yield Finding(f"{message.label} holds an {kind}; only user turns may hold media",
                                      pointer=f"{message.pointer}/content/{index}/{kind}")


@dataclass
class _Media:
    first: dict[str, int] = field(default_factory=dict)  # "image"/"video" -> first line holding one
    count: dict[str, int] = field(default_factory=dict)


class NovaImageAndVideoMixed(DatasetRule[NoOptions, _Media]):
    """A Nova dataset holds both images and videos.

    Why: the Nova user guide: a dataset has images or videos, not both (Nova 2 wants one modality per
    dataset). The validator rejects both in one sample: "'content' list cannot contain both video items
    and image items for a given sample". Reported once per file.
    """

    code = "FT427"
    name = "nova-image-and-video-mixed"
    severity = Severity.ERROR
    formats = NOVA
    summary = "Nova dataset mixes images and videos"
    fix = "Split the file into an image dataset and a video dataset"

    def start(self) -> _Media:
        return _Media()

    def collect(self, state: _Media, context: ExampleContext) -> None:
        for kind in {kind for _, kind, _ in nova_layout.media(context.example.raw)}:
            state.first.setdefault(kind, context.record.line)
            state.count[kind] = state.count.get(kind, 0) + 1

    def merge(self, first: _Media, later: _Media) -> _Media:
        return _Media({**later.first, **first.first},
                      {k: first.count.get(k, 0) + later.count.get(k, 0) for k in {*first.count, *later.count}})

    def finish(self, state: _Media, context: FileContext) -> Iterator[Finding]:
        if {"image", "video"} <= set(state.count):
            yield Finding(f"{state.count['image']} example(s) hold images (first at line {state.first['image']}) and "
                          f"{state.count['video']} hold videos (first at line {state.first['video']}); Nova takes "
                          "one kind per dataset", line=max(state.first.values()))


class NovaTooManyVideos(Rule[NoOptions]):
    """A Nova example holds more than one video.

    Why: rejected: "Only one video is allowed per sample" (nova_ft_dataset_validator.py; the limit is
    data in models.toml, `[layouts.nova]`).
    """

    code = "FT428"
    name = "nova-too-many-videos"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = NOVA
    summary = "More than one video in a Nova example"
    fix = "Keep one video per example"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        limit = layout_facts("nova").max_videos_per_example
        videos = [pointer for pointer, kind, _ in nova_layout.media(context.example.raw) if kind == "video"]
        if limit is not None and len(videos) > limit:
            yield Finding(f"example holds {len(videos)} videos; Nova takes {limit} per sample", pointer=videos[limit])


class MediaForTextOnlyModel(Rule[NoOptions]):
    """An image, video or file in a Nova or Gemini example for a model that trains on text only.

    Why: rejected: "Invalid content, image/video samples not supported by Nova Micro model"
    (nova_ft_dataset_validator.py). Which models take media is the catalog's `vision` flag.
    """

    code = "FT429"
    name = "media-for-text-only-model"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = NOVA | GEMINI
    summary = "Media for a text-only model"
    fix = "Remove the media, or choose a model that takes images"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        model = context.run.model
        if model.vision:
            return
        for pointer, uri, _ in _media_uris(context.example):
            yield Finding(f"`{quote(uri, 80)}` is media; {model.id} trains on text only",
                          pointer=pointer.rsplit("/source", 1)[0].removesuffix("/fileUri"))


def _function_parts(example: Example) -> Iterator[tuple[str, str, dict[str, object]]]:
    """(pointer, kind, object) of every functionCall and functionResponse part of a Gemini record."""
    for message in example.all_messages:
        for index, part in enumerate(gemini_layout.parts_of(message.raw)):
            for kind in ("functionCall", "functionResponse"):
                if isinstance(part.get(kind), dict):
                    yield f"{message.pointer}/parts/{index}/{kind}", kind, part[kind]


class GeminiFunctionCallUnsupported(Rule[NoOptions]):
    """Function calls or responses in tuning data for a Gemini model whose tuning rejects them.

    Why: Gemini 2.5 tuning fails the job: "Dataset example 1 of 14 contains an unsupported modality
    [function call] in the "parts" field, which is not supported by this model"
    (googleapis/python-aiplatform#6127). The models say so in models.toml (`function_calls = false`);
    for 3.x models it is not known, and they do not.
    """

    code = "FT615"
    name = "gemini-function-call-unsupported"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = GEMINI
    summary = "Function calls in tuning data for a model that rejects them"
    fix = "Drop the function-calling examples, or tune a model that takes them"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        if context.run.model.function_calls:
            return
        for pointer, kind, _ in _function_parts(context.example):
            yield Finding(f"a `{kind}` part; {context.run.model.id} tuning rejects it (\"contains an unsupported "
                          "modality [function call]\")", pointer=pointer)
            return  # one per example: the job names the example, not the part


class GeminiResponseWithoutCall(Rule[NoOptions]):
    """A Gemini `functionResponse` names no earlier unanswered `functionCall`.

    Why: a result answers a call; Gemini pairs them by name. Without the call the turn is malformed.
    Whether Vertex validates this is not documented: warning.
    """

    code = "FT616"
    name = "gemini-response-without-call"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    formats = GEMINI
    summary = "functionResponse without a matching functionCall"
    fix = "Put the model's functionCall before its functionResponse, with the same name"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        open_calls: list[object] = []
        for pointer, kind, item in _function_parts(context.example):
            if kind == "functionCall":
                open_calls.append(item.get("name"))
            elif item.get("name") in open_calls:
                open_calls.remove(item.get("name"))
            else:
                yield Finding(f"functionResponse `{item.get('name')}` answers no earlier functionCall of that name",
                              pointer=f"{pointer}/name")


class GeminiUndeclaredFunction(Rule[NoOptions]):
    """A Gemini `functionCall` names a function the example's `tools` do not declare.

    Why: the model learns to call a tool it is never shown. Only checked when the example declares
    functions. Warning, as FT604 for OpenAI tools.
    """

    code = "FT617"
    name = "gemini-undeclared-function"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    formats = GEMINI
    summary = "functionCall of an undeclared function"
    fix = "Declare the function in `tools[].functionDeclarations`, or fix the name"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        tools = context.example.raw.get("tools")
        declared = {d["name"] for t in tools if isinstance(t, dict) and isinstance(t.get("functionDeclarations"), list)
                    for d in t["functionDeclarations"] if isinstance(d, dict) and isinstance(d.get("name"), str)} \
            if isinstance(tools, list) else set()
        if not declared:
            return
        for pointer, kind, item in _function_parts(context.example):
            if kind == "functionCall" and item.get("name") not in declared:
                yield Finding(f"functionCall `{item.get('name')}` is not among the declared functions "
                              f"({', '.join(sorted(str(n) for n in declared))})", pointer=f"{pointer}/name")


class ShareGPTInvalidFunctionCall(Rule[NoOptions]):
    """A ShareGPT `function_call` turn's value is not JSON `{"name": ..., "arguments": {...}}` (or a
    list of such calls).

    Why: LLaMA-Factory parses it as JSON and stops the run: "Invalid JSON format in function
    message". Source: src/llamafactory/data/formatter.py (FunctionFormatter).
    """

    code = "FT618"
    name = "sharegpt-invalid-function-call"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = SHAREGPT
    summary = "function_call value is not JSON name and arguments"
    fix = "Write the call as JSON {\"name\": ..., \"arguments\": {...}}"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        for turn in context.example.messages:
            value = turn.data.get("value")
            if getattr(turn, "native", None) == "function_call" and isinstance(value, str) \
                    and sharegpt_layout.function_calls(value) is None:
                yield Finding(f"{turn.label} value is not JSON {{\"name\", \"arguments\"}}",
                              pointer=f"{turn.pointer}/value")


class ShareGPTInvalidTools(Rule[NoOptions]):
    """A ShareGPT record's `tools` string is not a JSON list of function definitions.

    Why: LLaMA-Factory reads `tools` as a JSON string and fails on anything else
    (src/llamafactory/data/formatter.py, ToolFormatter).
    """

    code = "FT619"
    name = "sharegpt-invalid-tools"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = SHAREGPT
    summary = "`tools` is not a JSON list of functions"
    fix = "Serialize the function definitions as one JSON string"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        tools = context.example.raw.get("tools")
        if isinstance(tools, str) and sharegpt_layout.tool_definitions(tools) is None:
            yield Finding("`tools` is not a JSON list of function definitions", pointer="/tools")


RULES = [LayoutNotAccepted, InvalidMediaUri, ShareGPTTurnOutOfPlace, ShareGPTEndsOnPrompt, NovaRoleOrder,
         NovaLastTurnNotAssistant, GeminiNoModelTurn, GeminiLastTurnNotModel, NovaReservedKeyword,
         NovaMediaInAssistantTurn, NovaImageAndVideoMixed, NovaTooManyVideos, MediaForTextOnlyModel,
         GeminiFunctionCallUnsupported, GeminiResponseWithoutCall, GeminiUndeclaredFunction,
         ShareGPTInvalidFunctionCall, ShareGPTInvalidTools]
