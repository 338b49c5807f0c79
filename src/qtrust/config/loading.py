"""Load an audit configuration from YAML, turning every validation problem into one actionable line."""

from __future__ import annotations

import difflib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from qtrust.config.schema import (
    AuditConfig,
    LogisticSpec,
    MLPSpec,
    NoEntanglementSpec,
    QuantumKernelSpec,
    SVMSpec,
    VariationalSpec,
)
from qtrust.errors import InputError
from qtrust.yamlfile import read_yaml_mapping

_TAGGED: dict[str, type[BaseModel]] = {
    cls.model_fields["kind"].default: cls
    for cls in (VariationalSpec, QuantumKernelSpec, LogisticSpec, SVMSpec, MLPSpec, NoEntanglementSpec)
}


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The configuration section that owns the last key of ``loc`` (for listing its valid keys)."""
    current: type[BaseModel] | None = AuditConfig
    for part in loc[:-1]:
        if isinstance(part, str) and part in _TAGGED:
            current = _TAGGED[part]
            continue
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(part)
        if field is None:
            return None
        annotation = field.annotation
        candidates = [annotation, *typing.get_args(annotation)]
        current = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)),
            None,
        )
        if current is None and typing.get_origin(annotation) is list:
            current = None  # a tagged list; the tag comes next in loc
    return current


def _describe_error(error: dict[str, Any]) -> InputError:
    loc = tuple(error["loc"])
    path = ".".join(str(p) for p in loc if not (isinstance(p, str) and p in _TAGGED)) or "config"
    kind = error["type"]
    if kind == "extra_forbidden":
        owner = _model_at(loc)
        known = sorted(owner.model_fields) if owner else []
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        fix = f"did you mean '{close[0]}'? " if close else ""
        fix += f"valid keys here: {', '.join(known)}" if known else "remove it"
        return InputError(f"unknown config key '{loc[-1]}'", where=path, fix=fix)
    if kind == "union_tag_invalid":
        return InputError(
            f"unknown kind {error.get('input', {}).get('kind') if isinstance(error.get('input'), dict) else ''!r}",
            where=path,
            fix=f"use kind: one of {', '.join(_TAGGED)}",
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    return InputError(message, where=path, fix="see `qtrust init` for a commented example of every key")


def config_from_dict(data: dict[str, Any] | None, source: str = "config") -> AuditConfig:
    """Validate a mapping into an :class:`AuditConfig`; the first problem is raised as an InputError."""
    try:
        return AuditConfig.model_validate(data or {})
    except ValidationError as exc:
        first = _describe_error(exc.errors()[0])
        more = len(exc.errors()) - 1
        problem = first.problem + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")
        raise InputError(problem, where=f"{source}: {first.where}", fix=first.fix) from None


def load_config(path: str | Path) -> AuditConfig:
    """Read and validate a YAML audit configuration."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"config file {str(path)!r} not found", where="CONFIG", fix="check the path or run `qtrust init`"
        )
    data = read_yaml_mapping(path, what="config", flag="CONFIG", fix="see `qtrust init`", allow_empty=True)
    return config_from_dict(data, str(path))


def merged_sections(base: dict[str, Any], updates: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``updates`` merged in section by section (nested mappings merge; anything else replaces)."""
    out = dict(base)
    for key, value in updates.items():
        out[key] = (
            merged_sections(out[key], value)
            if isinstance(value, dict) and isinstance(out.get(key), dict)
            else value
        )
    return out


def with_overrides(config: AuditConfig, updates: dict[str, Any], source: str = "command line") -> AuditConfig:
    """``config`` with ``updates`` (nested by section) merged in, validated like a config file.

    Command-line options such as ``--seed`` or ``--data`` change a validated config; ``model_copy`` would
    let a negative seed or an infinite threshold past the schema, so the merged config is validated again.
    """
    return config_from_dict(merged_sections(config.model_dump(), updates), source)
