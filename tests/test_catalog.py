"""The model table: lookups, overrides, epochs and cost."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from ftlint.catalog import CatalogError, default_epochs, load_catalog, training_cost


def test_resolve_ids_aliases_and_fine_tuned_names() -> None:
    catalog = load_catalog()
    assert catalog.resolve("gpt-4o-mini").id == "gpt-4o-mini-2024-07-18"
    assert catalog.resolve("ft:gpt-4.1-2025-04-14:acme::abc123").encoding == "o200k_base"
    assert catalog.resolve("gpt-3.5-turbo-0125").encoding == "cl100k_base"


def test_unknown_model_suggests_close_names() -> None:
    with pytest.raises(CatalogError, match="did you mean gpt-4o-mini-2024-07-18"):
        load_catalog().resolve("gpt-4o-mini-2024-07-19")


def test_every_model_is_complete() -> None:
    for model in load_catalog().models.values():
        assert model.training_context > 0
        assert model.methods
        priced = model.training_price is not None or model.hourly_price is not None
        assert priced or model.id == "gpt-4-0613", model.id


def test_overrides_change_fields_and_add_models() -> None:
    catalog = load_catalog({
        "gpt-4o-mini-2024-07-18": {"training_price": 1.5},
        "my-model": {"provider": "self", "encoding": "cl100k_base", "training_context": 8192},
    })
    assert catalog.resolve("gpt-4o-mini-2024-07-18").training_price == 1.5
    assert catalog.resolve("gpt-4o-mini-2024-07-18").training_context == 65536
    assert catalog.resolve("my-model").training_context == 8192


@pytest.mark.parametrize("override", [{"encoding": "p50k_base"}, {"training_context": 0}, {"methods": ["sft"]},
                                      {"colour": "red"}])
def test_invalid_overrides_are_reported(override: dict[str, object]) -> None:
    with pytest.raises(CatalogError):
        load_catalog({"gpt-4o-mini-2024-07-18": override})


@pytest.mark.parametrize(("examples", "epochs"), [
    (1, 25), (5, 20), (10, 10), (33, 3), (34, 3), (100, 3), (8333, 3), (8334, 2), (12500, 2), (30000, 1),
])
def test_default_epochs_match_openais_heuristic(examples: int, epochs: int) -> None:
    assert default_epochs(examples) == epochs


def test_cost() -> None:
    model = load_catalog().resolve("gpt-4o-mini-2024-07-18")
    # The guide's worked example: 100k tokens x 3 epochs on gpt-4o-mini costs $0.90.
    assert training_cost(100_000, 3, model) == pytest.approx(0.90)
    assert training_cost(100_000, 3, load_catalog().resolve("o4-mini-2025-04-16")) is None


def test_jobs_end_takes_the_earlier_of_model_and_provider() -> None:
    catalog = load_catalog()
    assert catalog.jobs_end(catalog.resolve("gpt-4o-mini"))[0] == dt.date(2027, 1, 6)
    assert catalog.jobs_end(catalog.resolve("gpt-4.1-nano"))[0] == dt.date(2026, 10, 23)


def test_a_provider_can_be_added_in_config() -> None:
    catalog = load_catalog(provider="acme", provider_overrides={
        "acme": {"name": "Acme Tuning", "base": "openai", "min_examples": 50, "bom": "allow"}})
    assert catalog.target.name == "Acme Tuning" and catalog.target.min_examples == 50
    model = catalog.resolve("gpt-4o-mini")
    assert model.provider == "acme" and model.training_price is None and model.training_context == 65536


def test_azure_inherits_limits_not_prices_or_dates() -> None:
    azure = load_catalog(provider="azure")
    assert azure.resolve("gpt-4.1").vision is True
    assert azure.resolve("gpt-4o-mini").training_price is None
    # OpenAI's dates are not inherited; Azure has its own (training for existing customers until 2027-04).
    assert azure.jobs_end(azure.resolve("gpt-4.1-nano")) == (dt.date(2027, 4, 14), "")
    assert load_catalog(provider="openai").jobs_end(load_catalog(provider="openai").resolve("gpt-4.1-nano"))[0] \
        == dt.date(2026, 10, 23)
    with pytest.raises(CatalogError, match="unknown provider 'azur'; did you mean azure"):
        load_catalog(provider="azur")


def test_a_target_defined_only_in_config_works_end_to_end(tmp_path: Path) -> None:
    """A new target that shares a format is one data entry: no code, and `--provider` takes it."""
    (tmp_path / "ftlint.toml").write_text(
        '[providers.acme]\nname = "Acme Tuning"\nbase = "azure"\ndefault-model = "gpt-4.1-2025-04-14"\n'
        'min-examples = 50\ndefault-epochs = 2\n', encoding="utf-8")
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"q{i}"},
                                                     {"role": "assistant", "content": f"a{i}"}]}) + "\n"
                            for i in range(20)), encoding="utf-8")
    result = run_cli("check", str(data), "--provider", "acme", "--format", "json")
    report = json.loads(result.stdout)
    file = report["files"][0]
    assert result.exit_code == 1
    assert [(v["code"], v["message"].split(";")[1].strip()[:32]) for v in file["violations"]] == [
        ("FT501", "Acme Tuning requires at least 50")]
    assert file["cost"]["model"] == "gpt-4.1-2025-04-14" and file["cost"]["epochs"] == 2
    assert file["cost"]["usd"] is None  # inherited models carry no prices
    listed = run_cli("models", "--provider", "acme", "--config", str(tmp_path / "ftlint.toml"))
    assert listed.exit_code == 0 and "provider acme: Acme Tuning" in listed.stdout
    assert "gpt-4.1-2025-04-14" in listed.stdout


def test_a_target_whose_base_is_unknown_or_loops_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "ftlint.toml"
    config.write_text('[providers.a]\nname = "A"\nbase = "b"\ndefault-model = "x"\n'
                      '[providers.b]\nname = "B"\nbase = "a"\ndefault-model = "x"\n', encoding="utf-8")
    looped = run_cli("check", str(FIXTURES / "clean"), "--provider", "a", "--config", str(config))
    assert looped.exit_code == 2 and "a -> b -> a form a loop" in looped.stderr
    config.write_text('[providers.a]\nname = "A"\nbase = "nowhere"\ndefault-model = "x"\n', encoding="utf-8")
    unknown = run_cli("check", str(FIXTURES / "clean"), "--provider", "a", "--config", str(config))
    assert unknown.exit_code == 2 and "unknown base 'nowhere'" in unknown.stderr
