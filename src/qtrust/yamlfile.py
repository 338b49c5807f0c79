"""Reading the YAML files users hand to qtrust (configs, plans, policies, checklists, records).

Every such file fails the same ways — missing, unreadable, not YAML, not a mapping, a field that does not
validate — and each deserves the same kind of one-line error: what, where (the file, and the line or field),
and how to fix it. One reader keeps those messages alike and the YAML error's line number in all of them.

It also bounds what a file may cost to read. A file is read only up to :data:`MAX_YAML_BYTES`, and a
document may hold at most :data:`MAX_YAML_VALUES` values *counted with its aliases expanded*: anchors and
aliases (``&a`` / ``*a``, merge keys) stay usable, but a few hundred bytes that alias lists of lists
("billion laughs") would expand to billions of values the moment a schema validates or a record serialises
them, so they are refused before that. A recursive alias is refused too, and so is nesting too deep for
the parser. Every one of these is an :class:`InputError`, never a MemoryError or a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from qtrust.errors import InputError

Model = TypeVar("Model", bound=BaseModel)


#: The largest YAML file qtrust reads (configs, plans, policies, records are a few KiB).
MAX_YAML_BYTES = 1 << 20
#: The most values (scalars, lists, mappings) a document may hold once its aliases are expanded.
MAX_YAML_VALUES = 100_000


def _too_large(source: str) -> InputError:
    return InputError(
        f"the file is larger than {MAX_YAML_BYTES // (1 << 20)} MiB, the most qtrust reads as YAML",
        where=source,
        fix="check that this is the right file; qtrust's YAML files are a few KiB",
    )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: yaml.Node, source: str) -> None:
    """Refuse a recursive alias, or more than MAX_YAML_VALUES values with aliases expanded.

    An alias is the very node its anchor names, so the expanded size of each node is computed once
    (iteratively: nesting depth cannot exhaust the stack) and a shared node is counted at every use.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_YAML_VALUES:
                raise InputError(
                    f"the document expands to more than {MAX_YAML_VALUES:,} values (aliases counted at every "
                    "use), far more than any qtrust file needs",
                    where=source,
                    fix="check that this is the right file, and do not nest aliases (&name / *name) in each other",
                )
            continue
        if key in sizes:
            continue
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                mark = child.start_mark
                raise InputError(
                    "an alias refers to a list or mapping that contains it (a recursive alias)",
                    where=f"{source}:{mark.line + 1}" if mark is not None else source,
                    fix="replace the alias (*name) with the values it should hold",
                )
            if id(child) not in sizes:
                stack.append((child, False))


def parse_yaml(text: str, source: str) -> Any:
    """``text`` as YAML (safe tags only, bounded in size and expansion); a syntax error names the line."""
    if len(text) > MAX_YAML_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise _too_large(source)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, source)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise InputError(
            f"not valid YAML ({getattr(exc, 'problem', None) or exc})", where=where, fix="fix the YAML syntax"
        ) from None
    except InputError:
        raise
    except RecursionError:
        raise InputError(
            "the YAML is nested too deeply to read", where=source, fix="flatten the nested lists or mappings"
        ) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date 2024-13-01 that no calendar has
        raise InputError(
            f"a value cannot be read ({exc})", where=source, fix="quote it to keep it as text, or correct it"
        ) from None
    finally:
        loader.dispose()


def read_yaml_mapping(path: str | Path, *, what: str, flag: str, fix: str, allow_empty: bool = False) -> dict:
    """The top-level mapping of the YAML file at ``path`` (a ``what``, passed with ``flag``)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:  # bounded: a huge file or /dev/zero is refused, not read whole
            data = handle.read(MAX_YAML_BYTES + 1)
        if len(data) > MAX_YAML_BYTES:
            raise _too_large(str(path))
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise InputError(f"no {what} at {path}", where=flag, fix=f"give the path of a {what}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a directory", where=flag, fix=f"give the path of a {what}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the {what}: {error}", where=str(path), fix="check the file") from None
    doc = parse_yaml(text, str(path))
    if doc is None and allow_empty:
        return {}
    if not isinstance(doc, dict):
        raise InputError(f"a {what} is a YAML mapping", where=str(path), fix=fix)
    return doc


def validate(model: type[Model], doc: dict, source: str, *, fix: str, label=None) -> Model:
    """``model`` from ``doc``; the first validation problem names its field (``label(loc)`` may rename it)."""
    try:
        return model.model_validate(doc)
    except ValidationError as error:
        first = error.errors()[0]
        loc = tuple(first["loc"])
        field = label(loc) if label is not None else ".".join(str(p) for p in loc)
        raise InputError(
            first["msg"].removeprefix("Value error, "),
            where=f"{source}: {field}" if field else source,
            fix=fix,
        ) from None
