# Two commands do all set-up on a fresh machine:
#   make demo   install ftlint in .venv and run it on the bundled fixtures/
#   make test   install ftlint with its test tools in .venv and run the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test bench docs clean

demo: $(VENV)/.installed
	@# The fixtures contain bad files on purpose: exit 1 (violations) is the expected result.
	$(BIN)/ftlint check fixtures/; status=$$?; test $$status -le 1

test: $(VENV)/.installed-test .cache/junit-10.xsd .venv-example/.installed
	$(BIN)/ruff check ftlint tests scripts bench
	$(BIN)/mypy
	$(BIN)/python -m pytest
	.venv-example/bin/python -m pytest -q examples/ftlint-plugin-example/tests

# The example plugin is tested in a venv of its own, as a user would install it next to ftlint.
.venv-example/.installed: pyproject.toml examples/ftlint-plugin-example/pyproject.toml
	$(PYTHON) -m venv .venv-example
	.venv-example/bin/python -m pip install --quiet --upgrade pip
	.venv-example/bin/python -m pip install --quiet -e . -e 'examples/ftlint-plugin-example[test]'
	touch $@

# The JUnit XSD pytest validates its own reports with; it ships only in pytest's sdist.
.cache/junit-10.xsd: $(VENV)/.installed-test
	mkdir -p .cache/sdist
	$(BIN)/python -m pip download --quiet --no-deps --no-binary :all: --dest .cache/sdist \
		"pytest==$$($(BIN)/python -c 'import pytest; print(pytest.__version__)')"
	tar -xzf .cache/sdist/pytest-*.tar.gz -O --wildcards '*/testing/example_scripts/junit-10.xsd' > $@.tmp
	mv $@.tmp $@

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) .venv-example .cache build *.egg-info .pytest_cache

docs: $(VENV)/.installed
	$(BIN)/python -c "from ftlint.registry import discover; from ftlint.ruledoc import rules_markdown; \
	open('docs/rules.md', 'w').write(rules_markdown(discover().sorted_rules()))"
