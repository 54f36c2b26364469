"""Benchmark ftlint against the cookbook approach and the tokenization limit, side by side.

    python bench/run.py                      # 100 MB generated file (seed 1234)
    python bench/run.py --mb 500
    python bench/run.py --repeat 3           # median of 3 interleaved runs per row (compare CPU s on a busy box)
    python bench/run.py --file my.jsonl --model gpt-3.5-turbo-0125

Rows (each in a fresh process; wall time, CPU time of its process tree, peak memory), interleaved when
repeated, so that every ratio compares rows of the same run:
  ftlint          `ftlint check FILE` (all default rules, exact tokens, text report)
  ftlint FT0-3    the same with only the checks the cookbook makes too: JSON, schema, roles, tokens
  cookbook        the OpenAI cookbook's data-prep notebook: json.loads every line into a list, format
                  checks, then encode() every message value (assistant content twice)
  tokenize x1     encode_ordinary over the strings ftlint counts, one process (the single-core limit)
  tokenize xN     the same split across all cores (the machine's limit)
  bpe-openai xN   the same with bpe-openai, the exact counter ftlint uses when installed (ftlint's own floor)
With --hf (open models; needs `transformers`, a test dependency):
  ftlint hf       `ftlint check FILE --tokenizer FOLDER`: every example rendered through Qwen3's chat template
                  and encoded with a real-size byte-level BPE tokenizer.json (100k tokens, trained here on
                  the first 20 MB of the file: no model files are downloaded), exact counts, all default rules
  trainer         the trainer's own path: a datasets-style loop of json.loads and
                  tokenizer.apply_chat_template(messages, tools=tools, tokenize=True) with transformers
  ftlint hf 10    start-up: the same ftlint run on the file's first 10 lines (tokenizer loaded)
Rows that fork workers also print where their CPU went (sampled from /proc every 50 ms): the parent's
before, during and after the workers, each worker's, and the wall time that gives on idle cores.
The data file is generated with ../shared/bench/gen_chat_jsonl.py when missing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
GENERATOR = HERE.parent.parent / "shared" / "bench" / "gen_chat_jsonl.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=100, help="size of the generated file (default 100)")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--shared-system", type=int, default=0,
                        help="generate data where every example repeats a system prompt of N chars and the tools")
    parser.add_argument("--file", type=Path, help="benchmark this file instead of a generated one")
    parser.add_argument("--model", default="gpt-4o-mini-2024-07-18")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="cores for the parallel rows")
    parser.add_argument("--hf", action="store_true", help="add the open-model rows (see above)")
    parser.add_argument("--hf-only", action="store_true", help="only the open-model rows")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each row N times, rows interleaved; report the median time and the largest memory")
    args = parser.parse_args()
    path = args.file or _generated(args.mb, args.seed, args.shared_system)
    size = path.stat().st_size
    print(f"file: {path} ({size / 1e6:,.1f} MB), model {args.model}, {os.cpu_count()} cores")
    ftlint = [sys.executable, "-m", "ftlint", "check", str(path), "--model", args.model, "--no-color"]
    rows = [
        (f"ftlint -j{args.jobs}", [*ftlint, "--jobs", str(args.jobs)]),
        ("ftlint -j1", [*ftlint, "--jobs", "1"]),
        (f"ftlint -j{args.jobs} FT0-3", [*ftlint, "--jobs", str(args.jobs), "--select", "FT0,FT1,FT2,FT3"]),
        ("cookbook", [sys.executable, __file__, "--stage", "cookbook", str(path), args.model]),
        ("tokenize x1", [sys.executable, __file__, "--stage", "tokenize", str(path), args.model, "1"]),
        (f"tokenize x{args.jobs}", [sys.executable, __file__, "--stage", "tokenize", str(path), args.model,
                                    str(args.jobs)]),
    ]
    from ftlint.tokens import bpe_openai_available

    if bpe_openai_available():  # ftlint's own counter: the floor for ftlint itself
        rows.append((f"bpe-openai x{args.jobs}", [sys.executable, __file__, "--stage", "tokenize", str(path),
                                                  args.model, str(args.jobs), "bpe-openai"]))
    if args.hf or args.hf_only:
        rows = (rows if args.hf else []) + _hf_rows(path, args.jobs)
    runs: dict[str, list[tuple[float, float, float, float, Split | None]]] = {name: [] for name, _ in rows}
    for _ in range(args.repeat):  # interleaved, so that a slow spell of the machine hits every row alike
        for name, command in rows:
            runs[name].append(_measure(command))
    results = {name: (statistics.median(r[0] for r in measured), max(r[1] for r in measured),
                      max(r[2] for r in measured)) for name, measured in runs.items()}
    cpu = {name: statistics.median(r[3] for r in measured) for name, measured in runs.items()}
    splits = {name: _median_split([r[4] for r in measured if r[4] is not None]) for name, measured in runs.items()}
    if args.repeat > 1:
        print(f"median of {args.repeat} runs per row")
    if args.hf or args.hf_only:
        _print_hf(results, cpu, args.jobs)
    if args.hf_only:
        _print_splits(splits, args.jobs)
        return
    _print_table(results, cpu, size, args.jobs)
    _print_splits(splits, args.jobs)


def _print_table(results: dict[str, tuple[float, float, float]], cpu: dict[str, float], size: int,
                 jobs: int) -> None:
    """Wall and CPU time of every row, and the ratios the targets are stated in, both ways.

    CPU time (user + system of the process and the children it reaped, from wait4) is what holds on a
    busy machine: other sessions stretch wall time, hardly the CPU a run needs.
    """
    limit, limit_cpu = results[f"tokenize x{jobs}"][0], cpu[f"tokenize x{jobs}"]
    print(f"{'run':<17}{'wall s':>9}{'CPU s':>8}{'MB/s':>8}{'MB/CPU-s':>10}{'max RSS MB':>12}{'tree PSS MB':>13}"
          f"{'vs limit':>10}{'CPU vs limit':>14}")
    for name, (wall, rss, pss) in results.items():
        per_cpu = size / 1e6 / max(cpu[name], 1e-9)
        print(f"{name:<17}{wall:>9.2f}{cpu[name]:>8.2f}{size / 1e6 / wall:>8.1f}{per_cpu:>10.1f}"
              f"{rss:>12.0f}{pss:>13.0f}{wall / limit:>9.2f}x{cpu[name] / limit_cpu:>13.2f}x")
    cookbook, cookbook_cpu = results["cookbook"][0], cpu["cookbook"]
    for name in (f"ftlint -j{jobs}", f"ftlint -j{jobs} FT0-3"):
        wall = results[name][0]
        print(f"{name}: {cookbook / wall:.2f}x faster than the cookbook (CPU: {cookbook_cpu / cpu[name]:.2f}x); "
              f"{wall / limit:.2f}x the time of the {jobs}-core tokenization limit")
    full, checks = f"ftlint -j{jobs}", f"ftlint -j{jobs} FT0-3"
    print(f"{full}: {results[full][0] / results[checks][0]:.2f}x the time of FT0-3 "
          f"(CPU: {cpu[full] / cpu[checks]:.2f}x)")
    print("CPU: user + system of the row's process tree (wait4); MB/CPU-s: file MB per CPU second. "
          "max RSS: the largest single process; tree PSS: peak of the summed proportional set size of the "
          "process and its children (shared pages counted once)")


def _median_split(splits: list[Split]) -> Split | None:
    """The split of the run whose ideal wall is the median one."""
    if not splits:
        return None
    return sorted(splits, key=lambda split: split.ideal_wall(len(split.workers)))[len(splits) // 2]


def _print_splits(splits: dict[str, Split | None], jobs: int) -> None:
    """For the rows that forked workers: the parent's CPU before, during and after them, and each worker's."""
    for name, split in splits.items():
        if split is None:
            continue
        workers = " + ".join(f"{worker:.2f}" for worker in split.workers)
        print(f"{name}: parent {split.before:.2f} s CPU before the workers, {split.during:.2f} s during, "
              f"{split.after:.2f} s after; workers {workers} s; ideal {jobs}-core wall {split.ideal_wall(jobs):.2f} s")


HF_MODEL = "bench/qwen3-like"


def _hf_rows(path: Path, jobs: int) -> list[tuple[str, list[str]]]:
    """The open-model rows: a model folder (built once), a config naming the model, a 10-line file."""
    folder = HERE / "data" / "hf-model"
    if not (folder / "tokenizer.json").exists():
        _build_hf_model(path, folder)
    config = HERE / "data" / "hf-ftlint.toml"
    config.write_text(f'provider = "generic"\nmodel = "{HF_MODEL}"\n[models."{HF_MODEL}"]\n'
                      'encoding = "o200k_base"\ntraining_context = 32768\n', encoding="utf-8")
    small = HERE / "data" / f"{path.stem}-10-lines.jsonl"
    with path.open("rb") as source:
        small.write_bytes(b"".join(source.readline() for _ in range(10)))
    ftlint = [sys.executable, "-m", "ftlint", "check", "--config", str(config), "--tokenizer", str(folder),
              "--max-seq-length", "32768", "--no-color"]
    return [(f"ftlint hf -j{jobs}", [*ftlint, str(path), "--jobs", str(jobs)]),
            ("trainer", [sys.executable, __file__, "--stage", "trainer", str(path), str(folder)]),
            ("ftlint hf 10", [*ftlint, str(small)])]


def _build_hf_model(path: Path, folder: Path, vocab_size: int = 100_000, sample_mb: int = 20) -> None:
    """A real-size byte-level BPE tokenizer.json trained on the data, with Qwen3's chat template and tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    from ftlint.hf import shipped_template

    qwen3 = shipped_template("Qwen/Qwen3-8B")
    assert qwen3 is not None
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(qwen3.control_tokens),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    with path.open(encoding="utf-8", errors="replace") as source:
        sample = source.read(sample_mb * 1_000_000).splitlines()
    tokenizer.train_from_iterator(sample, trainer)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save(str(folder / "tokenizer.json"))
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "chat_template": qwen3.text, **qwen3.special_tokens}
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")


def _trainer(path: str, folder: str) -> None:
    """What a TRL-style trainer does before training: render and tokenize every example, in one process."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(folder)
    tokens = failed = 0
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            example = json.loads(line)
            try:
                ids = tokenizer.apply_chat_template(example["messages"], tools=example.get("tools"), tokenize=True,
                                                    return_dict=False)
            except Exception:
                failed += 1
                continue
            tokens += len(ids)
    print(tokens, failed)


def _generated(mb: int, seed: int, shared_system: int) -> Path:
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    suffix = f"_shared{shared_system}" if shared_system else ""
    path = data / f"chat_{mb}mb_seed{seed}{suffix}.jsonl"
    if not path.exists():
        if not GENERATOR.exists():
            sys.exit(f"no data: pass --file, or put the generator at {GENERATOR}")
        command = [sys.executable, str(GENERATOR), "--mb", str(mb), "--seed", str(seed), "-o", str(path)]
        if shared_system:
            command += ["--shared-system", str(shared_system)]
        subprocess.run(command, check=True)
    return path


def _print_hf(results: dict[str, tuple[float, float, float]], cpu: dict[str, float], jobs: int) -> None:
    """The open-model rows, with CPU seconds too: on a busy machine wall time says little."""
    ftlint, trainer = results[f"ftlint hf -j{jobs}"][0], results["trainer"][0]
    print(f"ftlint hf -j{jobs}: {trainer / ftlint:.2f}x faster than the trainer's own rendering and tokenization "
          f"(wall); CPU {cpu[f'ftlint hf -j{jobs}']:.1f} s vs {cpu['trainer']:.1f} s")
    for name in (f"ftlint hf -j{jobs}", "trainer", "ftlint hf 10"):
        wall, rss, pss = results[name]
        print(f"{name:<17}{wall:>9.2f} s wall{cpu[name]:>9.2f} s CPU{rss:>8.0f} MB max RSS{pss:>8.0f} MB tree PSS")


class Split(NamedTuple):
    """Where a parallel row's CPU went, sampled from /proc every 50 ms (so each figure is +-0.05 s)."""

    before: float  # the parent's CPU until the first worker appeared (plans, vocabulary, splitting)
    during: float  # the parent's CPU while workers ran (reading ahead, merging, reporting)
    workers: tuple[float, ...]  # each worker's CPU
    after: float  # the parent's CPU after the last worker was seen

    def ideal_wall(self, cores: int) -> float:
        """The wall time on ``cores`` idle cores: the parent alone, then the busiest core, then the parent."""
        busiest = max(max(self.workers), (sum(self.workers) + self.during) / cores)
        return self.before + busiest + self.after


def _measure(command: list[str]) -> tuple[float, float, float, float, Split | None]:
    """Wall seconds, max RSS of the largest process (MB), peak summed PSS of the tree (MB), CPU seconds
    (user + system, the process and the children it waited for), and for a process that forked workers,
    how its CPU split between them."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak_pss = 0.0
    workers: dict[int, float] = {}
    before = last_with_workers = None
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            break
        peak_pss = max(peak_pss, _tree_pss(process.pid))
        own, children = _cpu(process.pid), _children(process.pid)
        for child in children:
            workers[child] = max(workers.get(child, 0.0), _cpu(child) or 0.0)
        if children and own is not None:
            before = own if before is None else before
            last_with_workers = own
        time.sleep(0.05)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"failed: {' '.join(command)}")
    cpu = usage.ru_utime + usage.ru_stime
    split = None
    if before is not None and last_with_workers is not None:
        parent = max(cpu - sum(workers.values()), last_with_workers)  # the parent's own CPU, in total
        split = Split(before, last_with_workers - before, tuple(sorted(workers.values(), reverse=True)),
                      parent - last_with_workers)
    return wall, usage.ru_maxrss / 1024, peak_pss / 1024, cpu, split


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu(pid: int) -> float | None:
    """The process's own user + system seconds (all its threads, not its children), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime and stime, fields 14 and 15 of stat


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
                for child in (task / "children").read_text().split()]
    except OSError:
        return []


def _tree_pss(pid: int) -> float:
    """Summed PSS (KB) of ``pid`` and its descendants, from /proc (0 where unavailable)."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += float(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return total


# --- stages run in their own process ---------------------------------------------------------


def _cookbook(path: str, model: str) -> None:
    """The notebook ``Chat_finetuning_data_prep.ipynb`` (v3) as a script, on ``model``'s encoding.

    Its two fixes for crashes on valid data are kept: non-string values are skipped when counting
    (cookbook PR #3039) and special-token text is counted as text instead of raising.
    """
    from ftlint.catalog import load_catalog
    from ftlint.tokens import load_encoding

    encoding = load_encoding(load_catalog().resolve(model).encoding)

    def tokens(value: object) -> int:
        if not isinstance(value, str):
            return 0
        try:
            return len(encoding.encode(value))  # the notebook's call, with its special-token check
        except ValueError:
            return len(encoding.encode(value, disallowed_special=()))

    with open(path, encoding="utf-8") as handle:
        dataset = [json.loads(line) for line in handle]
    errors: dict[str, int] = {}

    def error(kind: str) -> None:
        errors[kind] = errors.get(kind, 0) + 1

    for example in dataset:  # the format checks, counted per kind; none stops the run
        if not isinstance(example, dict):
            error("data_type")
            continue
        messages = example.get("messages")
        if not messages:
            error("missing_messages_list")
            continue
        for message in messages:
            if "role" not in message or "content" not in message:
                error("message_missing_key")
            if any(k not in ("role", "content", "name", "function_call", "weight") for k in message):
                error("message_unrecognized_key")
            if message.get("role") not in ("system", "user", "assistant", "function"):
                error("unrecognized_role")
            content, function_call = message.get("content"), message.get("function_call")
            if (not content and not function_call) or not isinstance(content, str):
                error("missing_content")
        if not any(message.get("role") == "assistant" for message in messages):
            error("example_missing_assistant_message")
    missing_system = missing_user = 0
    lengths: list[int] = []
    assistant_lengths: list[int] = []
    for example in dataset:  # warnings and token counts
        messages = example.get("messages") or [] if isinstance(example, dict) else []
        missing_system += not any(m.get("role") == "system" for m in messages)
        missing_user += not any(m.get("role") == "user" for m in messages)
        total = 3
        for message in messages:  # num_tokens_from_messages: every value, role included
            total += 3 + sum(tokens(value) + (key == "name") for key, value in message.items())
        lengths.append(total)
        assistant_lengths.append(sum(tokens(m.get("content")) for m in messages if m.get("role") == "assistant"))
    too_long = sum(length > 16385 for length in lengths)
    epochs = 3  # the notebook's epoch heuristic, then its billing estimate
    if 3 * len(dataset) < 100:
        epochs = min(25, 100 // max(len(dataset), 1))
    elif 3 * len(dataset) > 25000:
        epochs = max(1, 25000 // len(dataset))
    billed = sum(min(16385, length) for length in lengths)
    print(errors, missing_system, missing_user, statistics.median(lengths), statistics.median(assistant_lengths),
          too_long, epochs * billed)


def _strings(path: str) -> list[str]:
    strings: list[str] = []
    with open(path, "rb") as handle:
        for line in handle:
            for message in json.loads(line).get("messages", []):
                content = message.get("content")
                if isinstance(content, str):
                    strings.append(content)
                elif isinstance(content, list):
                    strings.extend(p["text"] for p in content if isinstance(p, dict) and "text" in p)
                for call in message.get("tool_calls") or ():
                    strings.extend((call["function"]["name"], call["function"]["arguments"]))
    return strings


_ENCODING = "o200k_base"
_STRINGS: list[str] = []
_SLICES = 1


_TOKENIZER = "tiktoken"


def _count(index: int) -> int:
    from ftlint.tokens import TokenCounter

    count = TokenCounter(_ENCODING, _TOKENIZER)._length  # the bare counter, without ftlint's memo
    return sum(count(s) for s in _STRINGS[index::_SLICES])


def _tokenize(path: str, model: str, jobs: int, tokenizer: str = "tiktoken") -> None:
    global _ENCODING, _STRINGS, _SLICES, _TOKENIZER
    from ftlint.catalog import load_catalog
    from ftlint.tokens import TokenCounter

    _ENCODING, _TOKENIZER = load_catalog().resolve(model).encoding, tokenizer
    TokenCounter(_ENCODING, _TOKENIZER)  # loaded before forking, as a parallel linter would
    _STRINGS = _strings(path)
    if jobs == 1:
        print(_count(0))
        return
    import multiprocessing

    # The workers inherit the strings when forked and are sent only slice numbers: no pickling.
    _SLICES = jobs * 8
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        print(sum(pool.map(_count, range(_SLICES), chunksize=1)))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--stage":
        stage, *rest = sys.argv[2:]
        if stage == "cookbook":
            _cookbook(rest[0], rest[1])
        elif stage == "trainer":
            _trainer(rest[0], rest[1])
        else:
            _tokenize(rest[0], rest[1], int(rest[2]), *rest[3:])
    else:
        main()
