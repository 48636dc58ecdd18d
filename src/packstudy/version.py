"""The package version, in a module of its own that imports nothing, so that the modules that
record it (results, store, report, cli) need not import the package's ``__init__``."""

__version__ = "0.1.0"
