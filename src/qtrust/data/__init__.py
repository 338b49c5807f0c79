"""Datasets with provenance, and their encoding into qubit rotation angles.

Built-in German Credit (:func:`load_german_credit`), any CSV (:func:`load_csv`) and synthetic data with
controllable bias (:func:`make_synthetic`) all produce a validated :class:`Dataset`;
:func:`train_test_indices` splits it and :class:`QubitPreprocessor` turns its features into angles.
"""

from qtrust.data.csv_loader import load_csv
from qtrust.data.dataset import Dataset, Provenance
from qtrust.data.german_credit import GERMAN_CREDIT_CODEBOOK, DataIntegrityError, load_german_credit
from qtrust.data.preprocess import QubitPreprocessor, make_tabular_encoder
from qtrust.data.split import StratificationWarning, train_test_indices
from qtrust.data.synthetic import make_synthetic

__all__ = [
    "GERMAN_CREDIT_CODEBOOK",
    "DataIntegrityError",
    "Dataset",
    "Provenance",
    "QubitPreprocessor",
    "StratificationWarning",
    "load_csv",
    "load_german_credit",
    "make_synthetic",
    "make_tabular_encoder",
    "train_test_indices",
]
