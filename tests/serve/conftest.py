"""The serve tests share the packaged tiny model of tests/conftest.py (fixtures ``packaged`` and ``setup``)."""
