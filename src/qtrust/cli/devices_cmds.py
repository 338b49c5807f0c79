"""``qtrust devices``: the IBM calibration snapshots qtrust can turn into noise models, and one device's layout.

``qtrust devices`` lists every device (snapshot date, median T1, T2, readout, 1q and 2q error);
``qtrust devices NAME --qubits N --layout best|worst|0,1,2`` shows the chosen physical qubits, their
calibration, the channel strengths qtrust derives from them, and the idle relaxation (qubits waiting for
other qubits' gates relax with their T1/T2 over each wait of the circuit's ASAP schedule). Exit codes:
0 done; 2 bad input (unknown device, impossible layout, qiskit-ibm-runtime not installed).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Column, Table

from qtrust.cli.common import fail, out
from qtrust.errors import InputError


def _num(value: float | None, spec: str) -> str:
    return "—" if value is None else _sci(value, 1) if spec == "sci" else format(value, spec)


def _sci(value: float, digits: int = 2) -> str:
    """1.90e-04 → 1.90e-4: short enough for an 80-column table."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _table(*headers: str, title: str, first_no_wrap: bool = False) -> Table:
    columns = [Column(h, overflow="fold", no_wrap=first_no_wrap and i == 0) for i, h in enumerate(headers)]
    return Table(*columns, title=title, box=box.SIMPLE_HEAD, show_edge=False, padding=0)


def _layout_argument(text: str) -> str | list[int]:
    text = text.strip()
    if text.lower() in ("best", "worst"):
        return text.lower()
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError(
            f"layout {text!r} is neither best, worst nor a list of physical qubits",
            where="--layout",
            fix="use best, worst, or comma-separated qubit numbers such as 0,1,2",
        ) from None


def _list(as_json: bool) -> None:
    from qtrust.quantum.devices import list_devices, runtime_version, skipped_devices

    infos, skipped = list_devices(), skipped_devices()
    if as_json:
        doc: dict[str, Any] = {
            "snapshot": f"offline calibration snapshots shipped with qiskit-ibm-runtime {runtime_version()}; "
            "not the devices today",
            "devices": [i.to_dict() for i in infos],
            "skipped": skipped,
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    table = _table(
        "device",
        "qubits",
        "date",
        "2q",
        "T1 µs",
        "T2 µs",
        "readout",
        "1q err",
        "2q err",
        title=f"IBM calibration snapshots (qiskit-ibm-runtime {runtime_version()}), medians",
        first_no_wrap=True,
    )
    for i in infos:
        qubits = str(i.n_qubits) + ("*" if i.n_operational < i.n_qubits else "")
        table.add_row(
            i.name,
            qubits,
            i.calibration_date[:10],
            i.two_qubit_gate.replace(" ", "") or "—",
            _num(i.median_t1_us, ".0f"),
            _num(i.median_t2_us, ".0f"),
            _num(i.median_readout_error, ".2%"),
            _num(i.median_1q_error, "sci"),
            _num(i.median_2q_error, "sci"),
        )
    out.print(table)
    out.print(
        f"{len(infos)} devices (* some qubits not operational in the snapshot; never used). These are "
        "calibration snapshots frozen in the package, not the devices today; `qtrust devices NAME --qubits N` "
        "shows a layout and its noise channels.",
        highlight=False,
    )
    for name, reason in skipped.items():
        out.print(f"[yellow]skipped:[/] {name}: {reason}", highlight=False)


def _show(name: str, qubits: int | None, layout: str, as_json: bool) -> None:
    from qtrust.quantum.devices import device_info, device_profile

    info = device_info(name)
    n = qubits if qubits is not None else min(5, info.n_operational)
    profile = device_profile(info.name, n, _layout_argument(layout))
    if as_json:
        sys.stdout.write(json.dumps(profile.to_dict(), indent=2) + "\n")
        return
    source = dict(profile.noise.source)
    out.print(
        f"[bold]{info.name}[/] ({info.backend_class}, {info.backend_name} v{info.backend_version}): "
        f"{info.n_qubits} qubits, native 2q gate {info.two_qubit_gate or 'none'}",
        highlight=False,
    )
    out.print(
        f"calibration snapshot of {info.calibration_date} (this layout's numbers measured "
        f"{profile.calibrated_between[0]} .. {profile.calibrated_between[1]}): {source['snapshot']}",
        highlight=False,
    )
    out.print(
        f"layout {profile.layout_choice}: {source['layout_map']} (score {profile.score:.4g}; lower is better)",
        highlight=False,
    )
    qubits_table = _table(
        "wire",
        "qubit",
        "T1 µs",
        "T2 µs",
        "P(1|0)",
        "P(0|1)",
        "sx err",
        "sx ns",
        "x err",
        "cost",
        title="the layout's qubits (* T2 clipped to 2·T1)",
    )
    gates_table = _table(
        "wire",
        "gates",
        "pulses",
        "ns",
        "calibrated",
        "model",
        "depol p",
        "amp γ",
        "phase γ",
        title="channels after each single-qubit gate (* relaxation alone exceeds the error)",
    )
    for w in profile.wires:
        qubits_table.add_row(
            str(w.wire),
            str(w.qubit),
            f"{w.t1_us:.0f}",
            f"{w.t2_us:.0f}" + ("*" if w.t2_clipped else ""),
            f"{w.p01:.2%}",
            f"{w.p10:.2%}",
            _sci(w.sx_error),
            f"{w.sx_ns:.0f}",
            _sci(w.x_error),
            f"{w.cost:.4f}",
        )
        for g in w.gates:
            s = g.per_wire[0][1]
            gates_table.add_row(
                str(w.wire),
                ",".join(g.gates),
                g.native,
                f"{g.duration_ns:.0f}",
                _sci(g.calibrated_error),
                _sci(g.model_error) + ("*" if g.clipped else ""),
                _sci(s.depolarizing),
                _sci(s.amplitude_damping),
                _sci(s.phase_damping),
            )
    out.print(qubits_table)
    out.print(gates_table)
    if profile.pairs:
        pairs = _table(
            "wires",
            "qubits",
            "route",
            "gates",
            "native",
            "ns",
            "calibrated",
            "model",
            "depol p",
            title="channels after each two-qubit gate, on both wires (--json: every channel)",
        )
        for p in profile.pairs:
            for k, g in enumerate(p.gates):
                first = k == 0
                pairs.add_row(
                    f"{p.wires[0]}-{p.wires[1]}" if first else "",
                    f"{p.qubits[0]}-{p.qubits[1]}" if first else "",
                    ("-".join(map(str, p.path)) if p.swaps else "coupled") if first else "",
                    ", ".join(g.gates),
                    g.native.split(" (")[0],
                    f"{g.duration_ns:.0f}",
                    _sci(g.calibrated_error),
                    _sci(g.model_error) + ("*" if g.clipped else ""),
                    _sci(g.per_wire[0][1].depolarizing),
                )
        out.print(pairs)
    for note in profile.notes:
        out.print(f"[yellow]note:[/] {note}", highlight=False)
    out.print(f"approximations: {source['approximations']}", highlight=False, soft_wrap=True)
    out.print(f"idle relaxation: {source['idle']}", highlight=False, soft_wrap=True)


def devices(
    name: Annotated[
        str | None, typer.Argument(help="A device, e.g. fake_manila (or FakeManilaV2, manila); omit to list.")
    ] = None,
    qubits: Annotated[
        int | None, typer.Option("--qubits", "-n", help="Logical qubits of the layout (default: up to 5).")
    ] = None,
    layout: Annotated[
        str, typer.Option("--layout", help="best, worst, or the physical qubits in order, e.g. 0,1,2.")
    ] = "best",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """List the IBM calibration snapshots usable as noise models, or show one device's layout and noise."""
    try:
        if name is None:
            if qubits is not None or layout != "best":
                raise InputError(
                    "--qubits and --layout need a device name", where="devices", fix="qtrust devices NAME ..."
                )
            _list(as_json)
        else:
            _show(name, qubits, layout, as_json)
    except InputError as error:
        fail(error)


def register(app: typer.Typer) -> None:
    app.command()(devices)
