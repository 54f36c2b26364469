"""Built-in rules, one module per family. They are registered through the
``ftlint.rules`` entry-point group, exactly as a third-party plugin's are.

Families: FT0 file and JSON, FT1 schema, FT2 roles, FT3 tokens, FT4 content,
FT5 dataset.
"""
