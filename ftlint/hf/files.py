"""Finding a model's tokenizer and chat template on this machine, never on the network.

Three places, in this order: an explicit ``--tokenizer PATH`` (a ``tokenizer.json``, a
model folder, or a Hugging Face cache folder), then the local Hugging Face cache for a
model id ``ORG/NAME``. The cache layout is huggingface_hub's (``models--ORG--NAME/
snapshots/<revision>/``, with ``refs/main`` naming the revision a plain download
got). Nothing here downloads: when nothing is found, :func:`not_found_message` says
where the files should go.

What a folder may hold, as transformers reads it (``PreTrainedTokenizerBase.
from_pretrained``): ``tokenizer.json``; ``tokenizer_config.json`` (special tokens
and, in older repositories, ``chat_template`` as a string or a list of named
templates); ``chat_template.jinja`` and ``additional_chat_templates/*.jinja``, which
take priority over the config's templates.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "tokenizer_config.json"
SPECIAL_MAP_FILE = "special_tokens_map.json"  # older repositories keep bos/eos here
TEMPLATE_FILE = "chat_template.jinja"
TEMPLATE_DIR = "additional_chat_templates"
# transformers' SPECIAL_TOKENS_ATTRIBUTES: the named special tokens a template sees as variables.
SPECIAL_TOKEN_NAMES = ("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token")
_MAX_CONFIG_BYTES = 64 * 1024 * 1024  # a tokenizer_config.json is kilobytes; refuse to parse gigabytes


class ModelFilesError(ValueError):
    """A model file exists but cannot be used (unreadable, not JSON, wrong shape)."""


@dataclass(frozen=True)
class ModelFiles:
    """What was found for one model: any of a tokenizer, its special tokens and its chat templates."""

    origin: str  # where the files came from, for messages
    tokenizer_json: Path | None = None
    special_tokens: Mapping[str, str] = field(default_factory=dict)  # bos_token -> "<s>", ...
    templates: Mapping[str, str] = field(default_factory=dict)  # "default", "tool_use", ... -> Jinja text
    template_origin: str = ""

    def template(self, with_tools: bool) -> str | None:
        """The template transformers would pick (``get_chat_template``): ``tool_use`` for tools, else ``default``."""
        if with_tools and "tool_use" in self.templates:
            return self.templates["tool_use"]
        return self.templates.get("default")


def hub_cache_dirs(environ: Mapping[str, str] | None = None) -> list[Path]:
    """Where huggingface_hub keeps downloads, most specific first (its own precedence)."""
    env = os.environ if environ is None else environ
    found: list[Path] = []
    for variable in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if env.get(variable):
            found.append(Path(env[variable]).expanduser())
    if env.get("HF_HOME"):
        found.append(Path(env["HF_HOME"]).expanduser() / "hub")
    xdg = env.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path(env.get("HOME") or Path.home()).expanduser() / ".cache"
    found.append(base / "huggingface" / "hub")
    unique: list[Path] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique


def find_model_files(model_id: str | None, tokenizer_path: str | Path | None = None,
                     environ: Mapping[str, str] | None = None) -> ModelFiles | None:
    """The local files for ``model_id`` (``ORG/NAME``) or at ``tokenizer_path``; None when there are none.

    An explicit path that does not exist, or holds no model file, is an error (the user
    named it); a model id missing from the cache is not (the caller falls back).
    """
    if tokenizer_path is not None:
        path = Path(tokenizer_path).expanduser()
        if not path.exists():
            raise ModelFilesError(f"tokenizer path {path} does not exist")
        folder = path.parent if path.is_file() else _snapshot_of(path) or path
        files = _read_folder(folder, str(path), tokenizer_json=path if path.is_file() else None)
        if files.tokenizer_json is None and not files.templates:
            raise ModelFilesError(f"{path} holds no {TOKENIZER_FILE}, {CONFIG_FILE} or {TEMPLATE_FILE}")
        return files
    if not model_id or "/" not in model_id:
        return None
    for cache in hub_cache_dirs(environ):
        repo = cache / ("models--" + model_id.replace("/", "--"))
        snapshot = _snapshot_of(repo)
        if snapshot is not None:
            files = _read_folder(snapshot, str(snapshot))
            if files.tokenizer_json is not None or files.templates:
                return files
    return None


def not_found_message(model_id: str, environ: Mapping[str, str] | None = None) -> str:
    """Where ftlint looked for ``model_id`` and how to put the files there (it never downloads)."""
    places = ", ".join(str(path / ("models--" + model_id.replace("/", "--"))) for path in hub_cache_dirs(environ))
    return (f"no local tokenizer for {model_id}: looked in {places}. ftlint never downloads; fetch the files once "
            f"with `huggingface-cli download {model_id} {TOKENIZER_FILE} {CONFIG_FILE}` (add {TEMPLATE_FILE} if "
            f"the repository has one), or pass --tokenizer PATH to a folder with them")


def _snapshot_of(repo: Path) -> Path | None:
    """The snapshot folder of a cache repository ``models--ORG--NAME``: ``refs/main``'s, else the newest."""
    snapshots = repo / "snapshots"
    if not snapshots.is_dir():
        return None
    ref = repo / "refs" / "main"
    if ref.is_file():
        try:
            revision = ref.read_text(encoding="utf-8").strip()
        except OSError:
            revision = ""
        if revision and "/" not in revision and (snapshots / revision).is_dir():
            return snapshots / revision
    candidates = [path for path in snapshots.iterdir() if path.is_dir()]
    if not candidates:
        return None
    return max(candidates, key=lambda path: (path.stat().st_mtime, path.name))


def _read_folder(folder: Path, origin: str, tokenizer_json: Path | None = None) -> ModelFiles:
    if tokenizer_json is None and (folder / TOKENIZER_FILE).is_file():
        tokenizer_json = folder / TOKENIZER_FILE
    config = _read_json(folder / CONFIG_FILE) if (folder / CONFIG_FILE).is_file() else {}
    templates, template_origin = _templates(folder, config)
    specials = _special_tokens(_read_json(folder / SPECIAL_MAP_FILE)) if (folder / SPECIAL_MAP_FILE).is_file() else {}
    specials.update(_special_tokens(config))  # the config wins, as in transformers
    return ModelFiles(origin=origin, tokenizer_json=tokenizer_json, special_tokens=specials,
                      templates=templates, template_origin=template_origin)


def _templates(folder: Path, config: dict[str, Any]) -> tuple[dict[str, str], str]:
    """Separate template files win over the config's entries, as in transformers."""
    templates: dict[str, str] = {}
    if (folder / TEMPLATE_FILE).is_file():
        templates["default"] = read_template(folder / TEMPLATE_FILE)
    extra = folder / TEMPLATE_DIR
    if extra.is_dir():
        for file in sorted(extra.glob("*.jinja")):
            templates[file.stem] = read_template(file)
    if templates:
        return templates, str(folder / TEMPLATE_FILE) if "default" in templates else str(extra)
    entry = config.get("chat_template")
    if isinstance(entry, str):
        return {"default": entry}, str(folder / CONFIG_FILE)
    if isinstance(entry, list):
        named = {item["name"]: item["template"] for item in entry
                 if isinstance(item, dict) and isinstance(item.get("name"), str)
                 and isinstance(item.get("template"), str)}
        return named, str(folder / CONFIG_FILE)
    return {}, ""


def _special_tokens(config: dict[str, Any]) -> dict[str, str]:
    """bos/eos/... as strings: a config holds either a string or an AddedToken object with ``content``."""
    found = {}
    for name in SPECIAL_TOKEN_NAMES:
        value = config.get(name)
        if isinstance(value, dict):
            value = value.get("content")
        if isinstance(value, str):
            found[name] = value
    return found


def read_template(path: Path) -> str:
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.read(_MAX_CONFIG_BYTES)
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelFilesError(f"cannot read chat template {path}: {exc}") from None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = json.loads(handle.read(_MAX_CONFIG_BYTES))
    except (OSError, ValueError) as exc:
        raise ModelFilesError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ModelFilesError(f"{path} is not a JSON object")
    return data
