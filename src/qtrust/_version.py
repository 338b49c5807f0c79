"""qtrust's version, in a leaf module: results, outputs and evidence record it without importing the package
``__init__`` (which would make every layer depend on the top)."""

__version__ = "0.1.0"
