"""Every test gets its own evidence home and a known key passphrase, so no test writes into the repo."""

from __future__ import annotations

import pytest

TEST_PASSPHRASE = "test-passphrase"


@pytest.fixture(autouse=True)
def _isolated_evidence_home(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("QTRUST_HOME", str(tmp_path_factory.mktemp("qtrust-home")))
    monkeypatch.setenv("QTRUST_KEY_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.setenv("QTRUST_PERSON_PASSPHRASE", "person-passphrase")
    monkeypatch.delenv("QTRUST_STORE", raising=False)
