"""FT2: who speaks when. Order and presence of roles in a conversation."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from ftlint.formats import Example, Message
from ftlint.rule import ExampleContext, NoOptions, Rule, Scope
from ftlint.violation import Finding, Severity

CHAT = frozenset({"chat"})
# The conversation is not the plain one (an optional system message, then user and assistant in turn,
# ending on the assistant: Example.features), where these rules find nothing; tool results and calls
# are what FT205 and FT206 look at.
ROLE_ORDER = frozenset({"role-order"})
TOOLS = frozenset({"tools"})


class NoAssistantMessage(Rule[NoOptions]):
    """The example has no assistant message.

    Why: rejected: `Invalid file format. Line 1, key "messages": At least one
    message must be from the assistant.` There is nothing to learn.

    Example: `{"messages": [{"role": "user", "content": "hi"}]}`
    Use instead: add the assistant's answer.
    """

    code = "FT201"
    requires = ROLE_ORDER
    name = "no-assistant-message"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = CHAT
    summary = "Example has no assistant message"
    fix = "Add the assistant's answer"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        if not context.example.roles_known:
            return  # FT101/FT105 already report the unusable role
        messages = context.example.messages
        if messages and not any(m.role == "assistant" for m in messages):
            hint = ""
            if messages[-1].role == "user":
                hint = " (for a reinforcement fine-tuning file, pass --method reinforcement)"
            yield Finding(f"example has no assistant message; add the answer the model should learn{hint}",
                          pointer="/messages")


class LastMessageNotAssistant(Rule[NoOptions]):
    """The example ends on a turn that is not the assistant's.

    Why: accepted, but the trailing turn teaches nothing: it is a prompt with
    no answer, billed for nothing. Warning.

    Example: `[..., {"role": "assistant", "content": "yes"}, {"role": "user", "content": "thanks"}]`
    Use instead: end on the assistant's answer, or drop the trailing turn.
    """

    code = "FT202"
    requires = ROLE_ORDER
    name = "last-message-not-assistant"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    formats = CHAT
    summary = "Example does not end on an assistant message"
    fix = "End the example on the assistant's answer"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        if not context.example.roles_known:
            return  # FT101/FT105 already report the unusable role
        messages = context.example.messages
        if not messages or not any(m.role == "assistant" for m in messages):
            return
        last = messages[-1]
        if last.role != "assistant":
            yield Finding(
                f"example ends on {last.label}, which teaches nothing; end on the assistant's answer",
                pointer=last.pointer,
            )


class SystemMessageNotFirst(Rule[NoOptions]):
    """A system message appears after other messages.

    Why: accepted, but models are served with the system prompt first; a
    system message mid-conversation trains on a layout inference never uses.

    Example: `[{"role": "user", ...}, {"role": "system", ...}, ...]`
    """

    code = "FT203"
    requires = ROLE_ORDER
    name = "system-message-not-first"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    formats = CHAT
    summary = "System message is not the first message"
    fix = "Move the system message to the start"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        if not context.example.roles_known:
            return  # FT101/FT105 already report the unusable role
        for message in context.example.messages[1:]:
            if message.role == "system" and context.example.messages[0].role != "system":
                yield Finding(f"{message.label} is a system message after the conversation started; "
                              "put the system prompt first", pointer=message.pointer)
                return


class MultipleSystemMessages(Rule[NoOptions]):
    """The example has more than one system message.

    Why: accepted, but one system prompt per conversation is what inference
    sends; several usually mean two examples were concatenated.
    """

    code = "FT204"
    requires = ROLE_ORDER
    name = "multiple-system-messages"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    formats = CHAT
    summary = "More than one system message"
    fix = "Merge the system messages into one, at the start"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        if not context.example.roles_known:
            return  # FT101/FT105 already report the unusable role
        systems = [m for m in context.example.messages if m.role == "system"]
        for extra in systems[1:]:
            yield Finding(f"{extra.label} is system message number {systems.index(extra) + 1} in this "
                          "example; use one system message", pointer=extra.pointer)


class ToolMessageWithoutCall(Rule[NoOptions]):
    """A `tool` message does not follow an assistant message with `tool_calls`.

    Why: a tool result answers a call; without one the conversation is
    malformed and the chat template cannot render it.

    Example: `[{"role": "user", ...}, {"role": "tool", "tool_call_id": "c1", "content": "42"}]`
    Use instead: put the assistant's `tool_calls` message right before the tool results.
    """

    code = "FT205"
    requires = TOOLS
    name = "tool-message-without-call"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    summary = "Tool message without a preceding assistant tool call"
    fix = "Precede tool results with the assistant message that made the calls"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        if not context.example.roles_known:
            return  # FT101/FT105 already report the unusable role
        previous = None  # the last message that is not a tool result
        for message in context.example.messages:
            if message.role != "tool":
                previous = message
                continue
            if previous is None or previous.role != "assistant" or not previous.tool_calls:
                after = f"follows {previous.label}" if previous else "starts the conversation"
                yield Finding(f"{message.label} {after}, not an assistant message with `tool_calls`",
                              pointer=message.pointer)


class UnansweredToolCall(Rule[NoOptions]):
    """An assistant tool call gets no `tool` result before the conversation moves on.

    Why: the model learns to call a tool and then carry on without its result.
    Ending an example on the call itself is fine (it trains the call).

    Example: `[..., {"role": "assistant", "tool_calls": [{"id": "c1", ...}]}, {"role": "user", ...}]`
    """

    code = "FT206"
    requires = TOOLS
    name = "unanswered-tool-call"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    summary = "Tool call not answered by a tool message"
    fix = "Add a `tool` message with the call's `tool_call_id` right after the call"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        if not context.example.roles_known:
            return  # FT101/FT105 already report the unusable role
        messages = context.example.messages
        for position, message in enumerate(messages):
            calls = message.tool_calls if message.role == "assistant" else []
            if not calls or position == len(messages) - 1:
                continue
            answered = set()
            for later in messages[position + 1:]:
                if later.role != "tool":
                    break
                answered.add(later.data.get("tool_call_id"))
            for index, call in enumerate(calls):
                if call.get("id") not in answered:
                    yield Finding(
                        f"{message.label}: tool call {call.get('id')!r} gets no tool result before "
                        "the conversation continues",
                        pointer=f"{message.pointer}/tool_calls/{index}",
                    )


class ReinforcementNotEndingOnUser(Rule[NoOptions]):
    """A reinforcement fine-tuning example does not end on a user message.

    Why: the model's answer is generated during training and graded; the data
    is the prompt. Azure: "The final message in the data must be assigned a
    user role".
    """

    code = "FT207"
    name = "reinforcement-not-ending-on-user"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = frozenset({"reinforcement"})
    summary = "Reinforcement example does not end on a user message"
    fix = "End the prompt on the user's message; the grader judges the model's own answer"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        if not context.example.roles_known:
            return  # FT101/FT105 already report the unusable role
        messages = context.example.messages
        if messages and messages[-1].role != "user":
            yield Finding(f"reinforcement example ends on {messages[-1].label}; the last message "
                          "must be the user's", pointer=messages[-1].pointer)


class ConsecutiveAssistantMessages(Rule[NoOptions]):
    """Two assistant messages in a row, with no user or tool message between them.

    Why: Azure OpenAI rejects it with the terse `contains invalid schema (20)`
    (microsoft-foundry/fine-tuning#23), and chat templates render it as one
    turn. OpenAI accepts it. Warning.

    Example: `{"role": "assistant", "content": "Let me check."}, {"role": "assistant", "tool_calls": [...]}`
    Use instead: one assistant message with both `content` and `tool_calls`.
    """

    code = "FT208"
    requires = ROLE_ORDER
    name = "consecutive-assistant-messages"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    formats = CHAT
    summary = "Two assistant messages in a row"
    fix = "Merge them into one assistant message (content and tool_calls together)"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        if not context.example.roles_known:
            return  # FT101/FT105 already report the unusable role
        messages = context.example.messages
        for before, after in itertools.pairwise(messages):
            if before.role == "assistant" and after.role == "assistant":
                yield Finding(f"{after.label} directly follows {before.label}; Azure rejects consecutive "
                              "assistant messages: merge them", pointer=after.pointer)


def turns(example: Example) -> list[tuple[str, Message]]:
    """The conversation's turns after its leading system messages: consecutive assistant messages joined
    only by tool results are one assistant turn (a call, its results, the answer)."""
    found: list[tuple[str, Message]] = []
    messages = example.messages
    start = next((i for i, m in enumerate(messages) if m.role not in ("system", "developer")), len(messages))
    for message in messages[start:]:
        role = "assistant" if message.role in ("tool", "function") else message.role
        if found and found[-1][0] == role == "assistant":
            continue
        found.append((role or "?", message))
    return found


class RolesNotAlternating(Rule[NoOptions]):
    """After the system message, the conversation does not start with the user and alternate strictly.

    Why: Together rejects it: "Invalid role turns on line N of the input file.
    After the optional system message, conversation roles must alternate between
    user/assistant/user/assistant." (together-py files.py checker; Together's
    data-preparation docs: start with system or user, then alternate; Bedrock
    Nova has the same rule). A tool call, its results and the answer that
    follows count as one assistant turn. Off by default; targets that require it
    turn it on.

    Example: `user, user, assistant` or `system, assistant, user, assistant`.
    Use instead: merge consecutive turns of one role; start with the user.
    """

    code = "FT220"
    requires = ROLE_ORDER
    name = "roles-not-alternating"
    severity = Severity.ERROR
    scope = Scope.EXAMPLE
    formats = CHAT
    enabled_by_default = False
    summary = "Roles do not alternate user/assistant after the system message"
    fix = "Start with the user's turn and alternate user/assistant; merge consecutive turns of one role"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        if not context.example.roles_known:
            return
        expected = "user"
        for role, message in turns(context.example):
            if role in ("system", "developer") or role != expected:
                yield Finding(f"{message.label} comes where the {expected} speaks: after the optional system "
                              "message, roles must alternate user/assistant/user/assistant", pointer=message.pointer)
                return
            expected = "assistant" if role == "user" else "user"


class NoUserMessage(Rule[NoOptions]):
    """The example has an assistant answer but no user message.

    Why: the model learns to answer a question nobody asked; often a system
    prompt was mistaken for the user's turn. Mistral's validator rejects it
    ("Conversation must start with a user message or system message"). Warning.

    Example: `[{"role": "system", "content": "You are terse."}, {"role": "assistant", "content": "Noted."}]`
    """

    code = "FT209"
    requires = ROLE_ORDER
    name = "no-user-message"
    severity = Severity.WARNING
    scope = Scope.EXAMPLE
    formats = CHAT
    summary = "Example has no user message"
    fix = "Add the user's turn that the assistant answers"

    def check(self, context: ExampleContext) -> Iterator[Finding]:
        if not context.example.roles_known:
            return  # FT101/FT105 already report the unusable role
        roles = [m.role for m in context.example.messages]
        if "assistant" in roles and "user" not in roles:
            yield Finding("example has an assistant answer but no user message", pointer="/messages")


RULES = [
    NoAssistantMessage, LastMessageNotAssistant, SystemMessageNotFirst, MultipleSystemMessages,
    ToolMessageWithoutCall, UnansweredToolCall, ReinforcementNotEndingOnUser,
    ConsecutiveAssistantMessages, NoUserMessage, RolesNotAlternating,
]
