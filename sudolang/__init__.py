"""sudolang: lint, compile and run SudoLang programs over a JSON state layer."""

__version__ = "0.1.0"
