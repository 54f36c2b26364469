"""Schema problems read like sentences, point at the right place and map to one kind each."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import assistant, conversation, user
from ftlint.schema import Issue, validate


@pytest.mark.parametrize(("record", "kind", "pointer", "message"), [
    (conversation(user(), assistant(weight=2)), Issue.INVALID_WEIGHT, "/messages/1/weight",
     "message 2 (assistant) has `weight: 2`; weight must be 0 or 1"),
    (conversation(user(), assistant(weight=True)), Issue.INVALID_WEIGHT, "/messages/1/weight",
     "message 2 (assistant) has `weight: true`; weight must be 0 or 1"),
    (conversation(user(), assistant(weight=0.0)), Issue.FRACTIONAL_WEIGHT, "/messages/1/weight",
     "message 2 (assistant) has `weight: 0.0`; write the integer 0"),
    (conversation(user(weight=1), assistant()), Issue.UNKNOWN_KEY, "/messages/0/weight",
     "message 1 (user) has `weight`; only assistant messages take a weight"),
    ({**conversation(user(), assistant()), "weight": 1}, Issue.UNKNOWN_KEY, "/weight",
     "the example has unknown top-level key `weight`; put `weight` on assistant messages"),
    (conversation({"role": "USER", "content": "x"}, assistant()), Issue.INVALID_ROLE, "/messages/0/role",
     'message 1 (USER) has role "USER"; roles are lower-case: use "user"'),
    (conversation({"content": "x"}, assistant()), Issue.MISSING_KEY, "/messages/0/role",
     "message 1 has no `role`"),
    ({}, Issue.MISSING_KEY, "/messages",
     'the example is missing required key `messages`; a chat example is {"messages": [...]}'),
    (conversation(user(), {"role": "tool", "content": "42"}), Issue.MISSING_KEY, "/messages/1/tool_call_id",
     "message 2 (tool) is missing required key `tool_call_id`; it names the assistant tool call this message answers"),
    (conversation(user(3), assistant()), Issue.WRONG_TYPE, "/messages/0/content",
     "message 1 (user) `content` must be a string or a list of content parts, got a number"),
    (conversation(user([{"type": "video"}]), assistant()), Issue.INVALID_VALUE, "/messages/0/content/0/type",
     "message 1 (user) `content` item 1 has type `video`; a user message takes text or image_url parts"),
    (conversation(user(), assistant([{"type": "audio"}])), Issue.INVALID_VALUE, "/messages/1/content/0/type",
     "message 2 (assistant) `content` item 1 has type `audio`; an assistant message takes text or refusal parts"),
    (conversation(user(), {"role": "assistant", "content": None}), Issue.MISSING_CONTENT, "/messages/1",
     "message 2 (assistant) has no `content`, `tool_calls` or `function_call`; give it the answer to train on"),
    ({"messages": "hello"}, Issue.WRONG_TYPE, "/messages", "`messages` must be an array, got a string"),
])
def test_problem_messages(record: dict[str, Any], kind: Issue, pointer: str, message: str) -> None:
    problems = validate(record, "chat")
    assert [(p.kind, p.pointer, p.message) for p in problems] == [(kind, pointer, message)]


def test_valid_chat_shapes() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    records = [
        conversation(user(), assistant()),
        conversation(user(), {"role": "assistant", "tool_calls": [call]},
                     {"role": "tool", "tool_call_id": "c1", "content": "ok"}, assistant()),
        conversation(user([{"type": "text", "text": "hi"}]), assistant([{"type": "text", "text": "yo"}])),
        conversation(user(), {"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}},
                     {"role": "function", "name": "f", "content": "ok"}, assistant()),
        {**conversation(user(), assistant()), "parallel_tool_calls": False,
         "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]},
    ]
    for record in records:
        assert validate(record, "chat") == [], record


def test_other_formats() -> None:
    preference = {"input": {"messages": [user()]}, "preferred_output": [assistant()],
                  "non_preferred_output": [assistant("no")]}
    assert validate(preference, "preference") == []
    assert validate({**conversation(user()), "reference_answer": "42"}, "reinforcement") == []
    assert validate({"prompt": "a", "completion": " b"}, "completion") == []
    (problem,) = validate({"prompt": "a", "completion": " b", "label": 1}, "completion")
    assert problem.kind is Issue.UNKNOWN_KEY and problem.pointer == "/label"
