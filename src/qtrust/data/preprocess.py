"""From a tabular frame to one rotation angle per qubit, and back to human units.

Angle encodings need a few bounded inputs, tabular data brings many mixed-type columns. The pipeline is
encode (one-hot categoricals, standardise numerics) -> reduce to ``n_qubits`` dimensions -> min-max
scale each dimension onto ``angle_range``. The scale uses the *training* extremes only, so test inputs
never leak into the encoding; test values beyond them are clipped, and the clipped share is recorded
because a high share means the circuit sees saturated angles. ``inverse_transform`` maps angles back to
feature units so that a worst-case input found in angle space can be shown to a person.

The reduction is PLS (supervised: the directions of the encoded features that covary most with the label,
learned from training labels only) or PCA (unsupervised). With a handful of qubits the choice matters: on
German Credit, six PCA directions keep the variance of the one-hot block but lose most of the signal
(logistic-regression AUC ≈ 0.61 against ≈ 0.75 on all features), six PLS directions keep it (≈ 0.75).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.cross_decomposition import PLSRegression
from sklearn.decomposition import PCA
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from qtrust.errors import InputError

_REDUCTIONS = ("pls", "pca", "none")
_TOP_LOADINGS = 3


def _one_hot_name(feature: str, category: object) -> str:
    """Encoded column name ``feature=category`` (module level so fitted encoders pickle)."""
    return f"{feature}={category}"


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def make_tabular_encoder(frame: pd.DataFrame) -> ColumnTransformer:
    """An unfitted encoder for ``frame``: numeric columns standardised, the others one-hot encoded.

    Column roles follow the dtypes (numbers are numeric, anything else categorical), which is how
    :class:`~qtrust.data.dataset.Dataset` stores its features. Unknown categories at transform time encode
    as all zeros. Output is a dense float array, numeric columns first; use it for classical baselines too,
    so both model families see the same encoding.
    """
    numeric = [c for c in frame.columns if _is_numeric(frame[c])]
    categorical = [c for c in frame.columns if c not in numeric]
    return ColumnTransformer(
        [
            ("numeric", StandardScaler(), numeric),
            (
                "categorical",
                OneHotEncoder(
                    handle_unknown="ignore", sparse_output=False, feature_name_combiner=_one_hot_name
                ),
                categorical,
            ),
        ],
        remainder="drop",
        sparse_threshold=0.0,
        verbose_feature_names_out=False,
    )


class QubitPreprocessor(TransformerMixin, BaseEstimator):
    """Encode a feature frame into ``n_qubits`` angles in ``angle_range``, fitted on training data only.

    Parameters
    ----------
    n_qubits:
        Output dimensions, one angle per qubit.
    reduction:
        ``"pls"`` (partial least squares against the training labels; needs ``y`` in ``fit``), ``"pca"``
        (PCA with the deterministic full SVD solver) or ``"none"`` (the encoded columns are used as they
        are, so there must be exactly ``n_qubits`` of them).
    angle_range:
        ``(low, high)`` that the training minimum and maximum of each dimension map to.
    clip:
        Clip transformed values into ``angle_range`` (the share outside is recorded either way).

    Attributes
    ----------
    encoder_ : ColumnTransformer
    pca_ : PCA or None
    scaler_ : MinMaxScaler
    feature_names_in_, n_features_in_, encoded_feature_names_, n_encoded_
        Input columns; encoded columns (``feature`` or ``feature=category``) and their count.
    encoded_feature_sources_ : ndarray
        The input column each encoded column comes from.
    explained_variance_ratio_ : ndarray
        Share of the encoded training variance each output dimension carries.
    data_min_, data_max_ : ndarray
        Training extremes of each reduced dimension (what ``angle_range`` low and high correspond to).
    last_clip_fraction_ : float
        Share of values outside ``angle_range`` in the last ``transform`` call.
    """

    def __init__(
        self,
        n_qubits: int = 8,
        reduction: str = "pca",
        angle_range: tuple[float, float] = (0.0, math.pi),
        clip: bool = True,
    ) -> None:
        self.n_qubits = n_qubits
        self.reduction = reduction
        self.angle_range = angle_range
        self.clip = clip

    # -- fitting ----------------------------------------------------------------------------------------

    def _check_params(self) -> tuple[float, float]:
        where = "QubitPreprocessor"
        if isinstance(self.n_qubits, bool) or not isinstance(self.n_qubits, int | np.integer):
            raise InputError(f"n_qubits={self.n_qubits!r} is not an integer", where=where, fix="pass an int")
        if self.n_qubits < 1:
            raise InputError(f"n_qubits={self.n_qubits} is below 1", where=where, fix="use n_qubits >= 1")
        if self.reduction not in _REDUCTIONS:
            raise InputError(
                f"unknown reduction {self.reduction!r}",
                where=where,
                fix=f"use one of: {', '.join(_REDUCTIONS)}",
            )
        try:
            low, high = (float(v) for v in self.angle_range)
        except (TypeError, ValueError):
            low = high = math.nan
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise InputError(
                f"angle_range={self.angle_range!r} is not a finite (low, high) pair with low < high",
                where=where,
                fix="pass e.g. angle_range=(0.0, math.pi)",
            )
        return low, high

    def _check_frame(self, X: object, *, fitting: bool) -> pd.DataFrame:
        where = "QubitPreprocessor.fit" if fitting else "QubitPreprocessor.transform"
        if not isinstance(X, pd.DataFrame):
            raise InputError(
                f"expected a pandas DataFrame, got {type(X).__name__}",
                where=where,
                fix="pass Dataset.model_features() (or its rows)",
            )
        if not fitting:
            missing = [c for c in self.feature_names_in_ if c not in X.columns]
            if missing:
                raise InputError(
                    f"columns {missing} seen in fit are missing",
                    where=where,
                    fix="transform a frame with the same columns as the training frame",
                )
            X = X[list(self.feature_names_in_)]
        empty = X.columns[X.isna().any()].tolist()
        if empty:
            raise InputError(
                f"missing values in column(s) {empty}", where=where, fix="drop or impute them first"
            )
        return X

    def fit(self, X: pd.DataFrame, y: object = None) -> QubitPreprocessor:
        """Learn the encoding, the reduction and the training extremes from ``X`` (training rows only)."""
        low, high = self._check_params()
        X = self._check_frame(X, fitting=True)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        self.encoder_ = make_tabular_encoder(X).fit(X)
        encoded = self.encoder_.transform(X).astype(np.float64)
        self.encoded_feature_names_ = np.asarray(self.encoder_.get_feature_names_out(), dtype=object)
        self.n_encoded_ = encoded.shape[1]
        self.encoded_feature_sources_ = np.asarray(
            self._numeric_columns() + [name for name, cats in self._categorical_columns() for _ in cats],
            dtype=object,
        )

        if self.reduction in ("pca", "pls"):
            limit = min(self.n_encoded_, encoded.shape[0])
            if self.n_qubits > limit:
                raise InputError(
                    f"n_qubits={self.n_qubits} exceeds the {self.n_encoded_} encoded columns "
                    f"({encoded.shape[0]} rows) that {self.reduction.upper()} can reduce",
                    where="QubitPreprocessor",
                    fix=f"use n_qubits <= {limit}",
                )
            if self.reduction == "pca":
                self.pca_: PCA | PLSRegression | None = PCA(
                    n_components=self.n_qubits, svd_solver="full"
                ).fit(encoded)
                reduced = self.pca_.transform(encoded)
                self.explained_variance_ratio_ = self.pca_.explained_variance_ratio_.copy()
            else:
                if y is None:
                    raise InputError(
                        "reduction='pls' learns from the training labels, but fit got no y",
                        where="QubitPreprocessor.fit",
                        fix="call fit(X_train, y_train) or use reduction='pca'",
                    )
                self.pca_ = PLSRegression(n_components=self.n_qubits, scale=False).fit(
                    encoded, np.asarray(y, float)
                )
                reduced = self.pca_.transform(encoded)
                total = encoded.var(axis=0).sum()
                self.explained_variance_ratio_ = (
                    reduced.var(axis=0) / total if total > 0 else reduced.var(axis=0)
                )
        else:
            if self.n_qubits != self.n_encoded_:
                raise InputError(
                    f"reduction='none' needs exactly n_qubits={self.n_qubits} encoded columns, "
                    f"the data encode to {self.n_encoded_}",
                    where="QubitPreprocessor",
                    fix=f"use n_qubits={self.n_encoded_} or reduction='pca'",
                )
            self.pca_ = None
            reduced = encoded
            variance = encoded.var(axis=0)
            total = variance.sum()
            self.explained_variance_ratio_ = variance / total if total > 0 else np.zeros_like(variance)

        self.scaler_ = MinMaxScaler(feature_range=(low, high), clip=False).fit(reduced)
        self.data_min_ = self.scaler_.data_min_.copy()
        self.data_max_ = self.scaler_.data_max_.copy()
        self.last_clip_fraction_ = 0.0
        return self

    # -- mapping ----------------------------------------------------------------------------------------

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        """Angles of shape (rows, n_qubits), float64; sets ``last_clip_fraction_``."""
        check_is_fitted(self, "scaler_")
        X = self._check_frame(X, fitting=False)
        reduced = self.encoder_.transform(X).astype(np.float64)
        if self.pca_ is not None:
            reduced = self.pca_.transform(reduced)
        angles = np.asarray(self.scaler_.transform(reduced), dtype=np.float64)
        low, high = self.scaler_.feature_range
        # Rounding in the affine map can put a training extreme an ulp outside; that is not clipping.
        tolerance = 1e-12 * max(1.0, abs(low), abs(high))
        outside = (angles < low - tolerance) | (angles > high + tolerance)
        self.last_clip_fraction_ = float(outside.mean()) if angles.size else 0.0
        if self.clip:
            np.clip(angles, low, high, out=angles)
        return angles

    def inverse_transform(self, angles: np.ndarray) -> pd.DataFrame:
        """Feature rows for ``angles``: numerics in original units, categoricals as their likeliest category.

        A categorical value is the category whose reconstructed one-hot entry is largest. With PCA keeping
        fewer dimensions than encoded columns this is an approximation (the projection loses detail);
        angles that were clipped come back at the clip boundary.
        """
        check_is_fitted(self, "scaler_")
        angles = np.asarray(angles, dtype=np.float64)
        if angles.ndim != 2 or angles.shape[1] != self.n_qubits:
            raise InputError(
                f"angles have shape {angles.shape}, expected (rows, {self.n_qubits})",
                where="QubitPreprocessor.inverse_transform",
                fix="pass a 2-D array with one column per qubit",
            )
        encoded = self.scaler_.inverse_transform(angles)
        if self.pca_ is not None:
            encoded = self.pca_.inverse_transform(encoded)
        columns: dict[str, object] = {}
        numeric_names = self._numeric_columns()
        if numeric_names:
            scaler = self.encoder_.named_transformers_["numeric"]
            values = scaler.inverse_transform(encoded[:, self.encoder_.output_indices_["numeric"]])
            columns.update({name: values[:, i] for i, name in enumerate(numeric_names)})
        start = self.encoder_.output_indices_["categorical"].start
        for name, categories in self._categorical_columns():
            block = encoded[:, start : start + len(categories)]
            columns[name] = np.asarray(categories, dtype=object)[np.argmax(block, axis=1)]
            start += len(categories)
        return pd.DataFrame({name: columns[name] for name in self.feature_names_in_})

    def _numeric_columns(self) -> list[str]:
        return list(self.encoder_.transformers_[0][2])

    def _categorical_columns(self) -> list[tuple[str, np.ndarray]]:
        """(input column, its categories in one-hot order) for each categorical column."""
        names = list(self.encoder_.transformers_[1][2])
        if not names:
            return []
        categories = self.encoder_.named_transformers_["categorical"].categories_
        return list(zip(names, categories, strict=True))

    # -- audit record -----------------------------------------------------------------------------------

    def describe(self) -> dict[str, object]:
        """What the encoding kept, for the audit record: variance explained and the strongest loadings."""
        check_is_fitted(self, "scaler_")
        names = [str(n) for n in self.encoded_feature_names_]
        ratios = self.explained_variance_ratio_
        if isinstance(self.pca_, PLSRegression):
            loadings = self.pca_.x_rotations_.T
        elif self.pca_ is not None:
            loadings = self.pca_.components_
        else:
            loadings = np.eye(self.n_encoded_)
        components = []
        for i in range(self.n_qubits):
            order = np.argsort(-np.abs(loadings[i]), kind="stable")[:_TOP_LOADINGS]
            components.append(
                {
                    "qubit": i,
                    "explained_variance_ratio": float(ratios[i]),
                    "top_loadings": [
                        {
                            "feature": names[j],
                            "source_feature": str(self.encoded_feature_sources_[j]),
                            "loading": float(loadings[i, j]),
                        }
                        for j in order
                        if loadings[i, j] != 0.0
                    ],
                    "training_min": float(self.data_min_[i]),
                    "training_max": float(self.data_max_[i]),
                }
            )
        low, high = self.scaler_.feature_range
        return {
            "n_qubits": int(self.n_qubits),
            "reduction": self.reduction,
            "angle_range": [float(low), float(high)],
            "clip": bool(self.clip),
            "input_features": [str(n) for n in self.feature_names_in_],
            "encoded_features": names,
            "explained_variance_ratio": [float(r) for r in ratios],
            "explained_variance_total": float(np.sum(ratios)),
            "components": components,
        }
