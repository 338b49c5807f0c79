"""Load any tabular CSV as a :class:`~qtrust.data.dataset.Dataset`, refusing ambiguous input loudly.

A fairness audit is only as good as its reading of the label and the sensitive attribute, so this loader
never guesses where a guess could be wrong: it infers the favourable label only from an unmistakable pair
(0/1, true/false, yes/no, good/bad, ...), it never silently drops rows with missing cells, and it never
bins a continuous sensitive attribute without being told where. Every refusal is an :class:`InputError`
naming the file, the column and the fix.

The header is read as written: pandas would silently rename a repeated column (``gender``, ``gender.1``),
which can feed the sensitive attribute back into the model under another name, so repeated and unnamed
columns are refused. Numbers must be finite and at most :data:`MAX_ABS_VALUE` in magnitude: ``inf`` has
no place on an angle, and the standardisation squares every value.

Type inference: a column pandas parses as numbers is ``numeric``, except a numeric column with at most two
distinct values, which is a flag and becomes ``categorical`` (its values as strings, integral numbers
without a decimal point): one-hot encoding carries the same information, and an inverse transform then
returns an observed value instead of a fraction. Booleans and text are ``categorical``.
"""

from __future__ import annotations

import difflib
import hashlib
import io
from pathlib import Path

import numpy as np
import pandas as pd

from qtrust.data.dataset import MIN_GROUP_ROWS, Dataset, FeatureType, Provenance
from qtrust.errors import InputError

#: A numeric sensitive attribute with more distinct values than this needs an explicit split point.
MAX_SENSITIVE_VALUES = 10
#: Label values read as the favourable outcome when paired with an unfavourable one (case-insensitive).
POSITIVE_WORDS = frozenset(
    {"1", "true", "t", "yes", "y", "good", "positive", "pos", "favourable", "favorable", "approved",
     "accept", "accepted", "granted", "pass", "success"}
)  # fmt: skip
_LISTED = 20
#: The largest magnitude a number may have: standardising a column squares its values, and squares past
#: ~1e154 overflow double precision; real measurements stay far below this bound.
MAX_ABS_VALUE = 1e100


def _column_strings(values: pd.Series) -> pd.Series:
    """Values as strings; integral numbers without a trailing ``.0`` so ``1.0`` and ``1`` read alike."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(dtype=float)
        if np.all(np.mod(numbers, 1) == 0):
            return pd.Series([str(int(v)) for v in numbers], index=values.index, dtype=object)
        return pd.Series([repr(float(v)) for v in numbers], index=values.index, dtype=object)
    return values.astype(str).astype(object)


def _listing(values: list[str]) -> str:
    shown = ", ".join(values[:_LISTED])
    return shown + (f", ... ({len(values)} in all)" if len(values) > _LISTED else "")


def _is_number_column(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _read_frame(path: Path) -> tuple[pd.DataFrame, bytes]:
    where = str(path)
    if not path.exists():
        raise InputError(
            "file not found", where=where, fix=f"check the path (relative paths start at {Path.cwd()})"
        )
    if path.is_dir():
        raise InputError("is a directory, not a CSV file", where=where, fix="pass the path of the CSV file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(
            f"cannot read the file ({error.strerror})", where=where, fix="check its permissions"
        ) from error
    if not data.strip():
        raise InputError("the file is empty", where=where, fix="pass a CSV with a header row and data rows")
    try:
        frame = pd.read_csv(io.BytesIO(data))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        problem = " ".join(str(error).split())
        raise InputError(
            f"not a readable CSV ({problem})", where=where, fix="save it as UTF-8, comma-separated CSV"
        ) from error
    if frame.empty:
        raise InputError("the file has a header but no data rows", where=where, fix="add data rows")
    _check_header(data, where)
    frame.columns = [str(c) for c in frame.columns]
    return frame, data


def _check_header(data: bytes, where: str) -> None:
    """Refuse repeated or empty column names, read from the header row as written (before pandas renames)."""
    header = pd.read_csv(io.BytesIO(data), header=None, nrows=1, dtype=str, keep_default_na=False)
    names = [str(name) for name in header.iloc[0]] if len(header) else []
    unnamed = [i + 1 for i, name in enumerate(names) if not name.strip()]
    if unnamed:
        raise InputError(
            f"column(s) {_listing([str(i) for i in unnamed])} of the header have no name",
            where=where,
            fix="name every column in the header row (a CSV saved by pandas with its index has an unnamed "
            "first column: save it with index=False)",
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InputError(
            f"the header names column(s) {_listing([repr(n) for n in repeated])} more than once",
            where=where,
            fix="give every column its own name; a repeated column can carry the sensitive attribute into "
            "the model under another name",
        )


def _check_numbers(frame: pd.DataFrame, where: str) -> None:
    """Refuse inf, -inf and numbers too large to standardise, naming the column and the data row."""
    for column in frame.columns:
        values = frame[column]
        if not _is_number_column(values):
            continue
        numbers = values.to_numpy(dtype=float)
        bad = ~np.isfinite(numbers) | (np.abs(numbers) > MAX_ABS_VALUE)
        if bad.any():
            row = int(np.argmax(bad))
            value = float(numbers[row])
            problem = "is not a finite number" if not np.isfinite(value) else f"exceeds ±{MAX_ABS_VALUE:g}"
            raise InputError(
                f"column '{column}', row {row + 1} after the header: {value!r} {problem} "
                f"({int(bad.sum())} such value(s) in the column)",
                where=where,
                fix="replace infinite values with finite numbers or drop those rows; rescale very large "
                "values (e.g. to thousands, or a log scale)",
            )


def _require_column(frame: pd.DataFrame, column: str, role: str, where: str) -> None:
    if column in frame.columns:
        return
    columns = list(frame.columns)
    close = difflib.get_close_matches(column, columns, n=3, cutoff=0.5)
    close += [c for c in columns if c.lower() == column.lower() and c not in close]
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise InputError(
        f"{role} column '{column}' not found",
        where=where,
        fix=f"{hint}available columns: {_listing(columns)}",
    )


def _check_no_missing(frame: pd.DataFrame, where: str) -> None:
    empty = frame.isna().sum()
    empty = empty[empty > 0]
    if len(empty):
        listed = ", ".join(f"'{c}' ({n} empty)" for c, n in empty.items())
        raise InputError(
            f"missing or empty cells in column(s) {listed}", where=where, fix="drop or impute them first"
        )


def _labels(values: pd.Series, positive: object, where: str) -> tuple[np.ndarray, str]:
    """0/1 labels (1 = favourable) and the favourable value as a string."""
    strings = _column_strings(values)
    distinct = sorted(set(strings))
    if len(distinct) < 2:
        raise InputError(
            f"the label has a single value {distinct[0]!r}",
            where=where,
            fix="an audit needs rows with both the favourable and the unfavourable outcome",
        )
    if positive is None:
        positive_string = _infer_positive(values, distinct, where)
    else:
        positive_string = _match_positive(values, strings, positive, distinct, where)
    return (strings == positive_string).to_numpy(dtype=np.int64), positive_string


def _infer_positive(values: pd.Series, distinct: list[str], where: str) -> str:
    if len(distinct) > 2:
        raise InputError(
            f"the label has {len(distinct)} values ({_listing(distinct)}) and no positive value was given",
            where=where,
            fix="pass positive=<the favourable value>; every other value becomes 0",
        )
    if _is_number_column(values):
        # Only 0/1 is unambiguous: a 1/2 coding means "good/bad" in one survey and "no/yes" in the next.
        candidates = ["1"] if distinct == ["0", "1"] else []
    else:
        candidates = [v for v in distinct if v.strip().lower() in POSITIVE_WORDS]
    if len(candidates) != 1:
        raise InputError(
            f"cannot tell which label value is favourable among {distinct}",
            where=where,
            fix=f"pass positive=<the favourable value>, one of: {', '.join(distinct)}",
        )
    return candidates[0]


def _match_positive(
    values: pd.Series, strings: pd.Series, positive: object, distinct: list[str], where: str
) -> str:
    if _is_number_column(values):
        try:
            target = float(positive)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            target = None
        hits = strings[values.to_numpy(dtype=float) == target] if target is not None else strings[:0]
    elif pd.api.types.is_bool_dtype(values):
        hits = strings[strings.str.lower() == str(positive).strip().lower()]
    else:
        hits = strings[strings == str(positive)]
    if hits.empty:
        raise InputError(
            f"positive value {positive!r} does not occur in the label",
            where=where,
            fix=f"use one of the label's values: {_listing(distinct)}",
        )
    return str(hits.iloc[0])


def _groups(values: pd.Series, column: str, threshold: float | None, where: str) -> np.ndarray:
    if threshold is not None and not np.isfinite(threshold):
        raise InputError(
            f"sensitive_threshold {threshold!r} is not a finite number",
            where=where,
            fix="split at a value the column takes, e.g. its median",
        )
    if threshold is not None:
        if not _is_number_column(values):
            raise InputError(
                "sensitive_threshold needs a numeric sensitive column, but this one holds text",
                where=where,
                fix="drop sensitive_threshold; each distinct value is then a group",
            )
        cut = format(threshold, "g")
        return np.where(values.to_numpy(dtype=float) < threshold, f"{column} < {cut}", f"{column} >= {cut}")
    n_distinct = values.nunique()
    if _is_number_column(values) and n_distinct > MAX_SENSITIVE_VALUES:
        raise InputError(
            f"the numeric sensitive attribute has {n_distinct} distinct values, "
            f"more than the {MAX_SENSITIVE_VALUES} that can be groups",
            where=where,
            fix=f"pass sensitive_threshold=… to split it (e.g. sensitive_threshold={values.median():g})",
        )
    return _column_strings(values).to_numpy(dtype=str)


def _check_group_sizes(group: np.ndarray, where: str) -> None:
    names, counts = np.unique(group, return_counts=True)
    small = [(n, c) for n, c in zip(names, counts, strict=True) if c < MIN_GROUP_ROWS]
    if small:
        listed = ", ".join(f"'{n}' has {c} rows" for n, c in small)
        raise InputError(
            f"sensitive group(s) too small: {listed}; each needs at least {MIN_GROUP_ROWS}",
            where=where,
            fix="merge rare values into a larger group in the CSV, choose another sensitive column, "
            "or pass sensitive_threshold=… for a numeric one",
        )


def _features(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, FeatureType]]:
    features = frame.copy()
    types: dict[str, FeatureType] = {}
    for column in features.columns:
        values = features[column]
        if _is_number_column(values) and values.nunique() > 2:
            types[column] = "numeric"
        else:
            features[column] = _column_strings(values)
            types[column] = "categorical"
    return features, types


def load_csv(
    path: str | Path,
    *,
    label: str,
    sensitive: str,
    positive: object = None,
    sensitive_threshold: float | None = None,
    name: str | None = None,
) -> Dataset:
    """Read a CSV with a header row into a validated :class:`Dataset`.

    ``label`` is the outcome column; ``positive`` names its favourable value (inferred only for an
    unmistakable pair such as 0/1 or yes/no; with more than two values, everything but ``positive`` is 0).
    ``sensitive`` is the group column: each distinct value is a group, or with ``sensitive_threshold=t``
    (numeric columns only) the groups are ``"<col> < t"`` and ``"<col> >= t"``. All other columns,
    the sensitive one included, become features (see the module docstring for type inference).
    """
    path = Path(path).expanduser().resolve()
    frame, data = _read_frame(path)
    where = str(path)
    _require_column(frame, label, "label", where)
    _require_column(frame, sensitive, "sensitive", where)
    if label == sensitive:
        raise InputError(
            f"'{label}' is both the label and the sensitive column",
            where=where,
            fix="choose a different sensitive column",
        )
    _check_no_missing(frame, where)
    _check_numbers(frame, where)
    y, positive_label = _labels(frame[label], positive, f"{where}, column '{label}'")
    group = _groups(frame[sensitive], sensitive, sensitive_threshold, f"{where}, column '{sensitive}'")
    _check_group_sizes(group, f"{where}, column '{sensitive}'")
    features, feature_types = _features(frame.drop(columns=[label]))

    provenance = Provenance(
        name=name or path.stem,
        source=str(path),
        licence="unknown (user supplied)",
        sha256=hashlib.sha256(data).hexdigest(),
        citation="",
        description=f"User-supplied CSV '{path.name}' ({len(frame)} rows, {frame.shape[1]} columns).",
        extra={
            "label": label,
            "positive": positive_label,
            "positive_inferred": positive is None,
            "sensitive": sensitive,
            "sensitive_threshold": sensitive_threshold,
        },
    )
    return Dataset(
        name=name or path.stem,
        features=features,
        y=y,
        group=group,
        sensitive=sensitive,
        label_name=label,
        positive_label=positive_label,
        provenance=provenance,
        sensitive_source_columns=(sensitive,),
        feature_types=feature_types,
    )
