"""qtrust: make AI systems built on quantum computing safe to ship."""

__version__ = "0.1.0"
