"""Average several exported passive models into one ONNX graph (a seed ensemble).

Why: two runs of the same recipe that differ only in the training seed score the same generated
test faces within a few points per species, but a real capture can land anywhere between them
(stop 30: the real poster 0.576 under seed 1, 0.947 under seed 2). Averaging the members' class
probabilities is the standard way to take that run-to-run variance out of the shipped score; it
also narrows the band of genuine faces left undecided. The members are run inside one graph, so
the run time (:class:`openidv.liveness.pad.PassivePAD`) and the registry (one file, one hash)
do not change::

    python -m openidv.liveness.training.ensemble --out var/liveness/ens/pad_passive.onnx \\
        src/openidv/liveness/models/pad_passive.onnx var/liveness/runs4s2/full/pad_passive.onnx \
        [--install 4.1.0 --seeds 1,2 --epochs 16]

Every member must take the same inputs (``tight``, ``context``, same view sizes) and give
``probs`` over the same classes; the result gives ``probs`` = their mean (ONNX ``Mean``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

INPUTS = ("tight", "context")
OUTPUT = "probs"


def _signature(model: Any) -> list[tuple[str, int, list[Any]]]:
    """Names, element types and shapes (symbolic dims as their names) of a graph's inputs and outputs."""
    out = []
    for v in [*model.graph.input, *model.graph.output]:
        t = v.type.tensor_type
        out.append((v.name, t.elem_type, [d.dim_param or d.dim_value for d in t.shape.dim]))
    return out


def average_models(members: Sequence[Any]) -> Any:
    """One ONNX model whose ``probs`` is the mean of the members' ``probs`` (onnx ModelProtos)."""
    import onnx
    from onnx import compose, helper

    if len(members) < 2:
        raise ValueError("an ensemble needs at least two members")
    first = members[0]
    names = [i.name for i in first.graph.input]
    if tuple(names) != INPUTS or [o.name for o in first.graph.output] != [OUTPUT]:
        raise ValueError(f"members must map {INPUTS} to {OUTPUT!r}; got {names}")
    for m in members[1:]:
        if _signature(m) != _signature(first):
            raise ValueError("members differ in their inputs or outputs (view sizes, classes, element types)")
        if m.opset_import != first.opset_import or m.ir_version != first.ir_version:
            raise ValueError("members differ in their opset or IR version")
    weights = [b"".join(i.SerializeToString() for i in m.graph.initializer) for m in members]
    if len(set(weights)) < len(weights):
        raise ValueError("the same network is given twice: an ensemble's members must differ")
    nodes, inits, infos = [], [], []
    outputs = []
    for k, m in enumerate(members):
        p = compose.add_prefix(m, f"m{k}/", rename_inputs=False, rename_outputs=True)
        # add_prefix renames the graph inputs' uses only when it renames the inputs themselves:
        # point the prefixed uses back at the shared inputs.
        shared = {f"m{k}/{n}": n for n in INPUTS}
        for node in p.graph.node:
            node.input[:] = [shared.get(x, x) for x in node.input]
        nodes += list(p.graph.node)
        inits += list(p.graph.initializer)
        infos += list(p.graph.value_info)
        outputs.append(f"m{k}/{OUTPUT}")
    nodes.append(helper.make_node("Mean", outputs, [OUTPUT], name="ensemble_mean"))
    graph = helper.make_graph(
        nodes, "pad_passive_ensemble", list(first.graph.input), list(first.graph.output), inits, value_info=infos
    )
    model = helper.make_model(graph, opset_imports=list(first.opset_import), producer_name="openidv.ensemble")
    model.ir_version = first.ir_version
    onnx.checker.check_model(model)
    return model


def average_files(paths: Sequence[Path], out: Path) -> None:
    import onnx

    model = average_models([onnx.load(str(p)) for p in paths])
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("members", type=Path, nargs="+", help="exported member models (pad_passive.onnx of each run)")
    ap.add_argument("--out", type=Path, required=True, help="the ensemble's ONNX file")
    ap.add_argument("--install", default=None, metavar="VERSION",
                    help="also ship the ensemble under this model version (copy into the package, record its hash)")
    ap.add_argument("--seeds", default=None, help="the members' training seeds, recorded with --install (e.g. 1,2)")
    ap.add_argument("--epochs", type=int, default=None, help="the members' training epochs, recorded with --install")
    args = ap.parse_args(argv)
    missing = [p for p in args.members if not p.is_file()]
    if missing:
        ap.error(f"not found: {', '.join(map(str, missing))}")
    if len(args.members) < 2:
        ap.error("give at least two members")
    seeds = [int(v) for v in args.seeds.split(",")] if args.seeds else None
    if args.install and (seeds is None or len(seeds) != len(args.members) or args.epochs is None):
        ap.error("--install needs --seeds (one per member) and --epochs")
    if seeds is not None and len(set(seeds)) != len(seeds):
        ap.error("--seeds: members of a seed ensemble have different seeds")
    average_files(args.members, args.out)
    print(f"wrote {args.out} ({len(args.members)} members)")
    if args.install:
        from openidv.liveness.training.install import install_file

        install_file(args.out, args.install, seeds=seeds, epochs=args.epochs,
                     trained_by="python -m openidv.liveness.training.train_pad (each member), then "
                                "python -m openidv.liveness.training.ensemble")


if __name__ == "__main__":
    main()
