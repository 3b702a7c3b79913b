"""Gradient-boosted classifiers (the bot classifier, the typeface-consistency model): fit with
XGBoost, ship as ONNX.

XGBoost trains; the shipped file is an ONNX ``TreeEnsembleRegressor`` (ai.onnx.ml) followed by a
sigmoid, built here node by node from the booster's own JSON dump, so the service needs only
onnxruntime (single-row inference in tens of microseconds) and the file's hash is checked by the
model registry. :func:`to_onnx` refuses to return a graph whose outputs differ from XGBoost's.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from numpy.typing import NDArray

PARAMS: dict[str, Any] = {
    "objective": "binary:logistic",
    "eval_metric": "logloss",
    "max_depth": 4,
    "eta": 0.08,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "min_child_weight": 5.0,
    "lambda": 2.0,
    "tree_method": "hist",
    "nthread": 1,
}
ROUNDS = 300


def fit_gbm(x: NDArray[np.float64], y: NDArray[np.int64], weight: NDArray[np.float64], seed: int,
            rounds: int = ROUNDS) -> Any:
    """A fitted ``xgboost.Booster`` (one thread, fixed seed: reproducible)."""
    import xgboost as xgb

    dtrain = xgb.DMatrix(x.astype(np.float32), label=y, weight=weight, missing=np.nan)
    return xgb.train({**PARAMS, "seed": seed}, dtrain, num_boost_round=rounds)


def predict_gbm(booster: Any, x: NDArray[np.float64]) -> NDArray[np.float64]:
    import xgboost as xgb

    return np.asarray(booster.predict(xgb.DMatrix(x.astype(np.float32), missing=np.nan)), dtype=np.float64)


def _base_margin(booster: Any) -> float:
    cfg = json.loads(booster.save_config())
    raw = str(cfg["learner"]["learner_model_param"]["base_score"]).strip("[]")
    p = float(raw)
    return float(np.log(p / (1.0 - p)))


def _tree_nodes(tree: dict[str, Any], tid: int, out: dict[str, list[Any]]) -> None:
    """Append one XGBoost JSON tree (nested dict) to the flat ONNX attribute lists."""
    stack = [tree]
    while stack:
        node = stack.pop()
        nid = int(node["nodeid"])
        out["nodes_treeids"].append(tid)
        out["nodes_nodeids"].append(nid)
        if "leaf" in node:
            out["nodes_featureids"].append(0)
            out["nodes_values"].append(0.0)
            out["nodes_modes"].append("LEAF")
            out["nodes_truenodeids"].append(0)
            out["nodes_falsenodeids"].append(0)
            out["nodes_missing_value_tracks_true"].append(0)
            out["target_treeids"].append(tid)
            out["target_nodeids"].append(nid)
            out["target_ids"].append(0)
            out["target_weights"].append(float(node["leaf"]))
            continue
        out["nodes_featureids"].append(int(str(node["split"]).lstrip("f")))
        out["nodes_values"].append(float(np.float32(node["split_condition"])))
        out["nodes_modes"].append("BRANCH_LT")
        out["nodes_truenodeids"].append(int(node["yes"]))
        out["nodes_falsenodeids"].append(int(node["no"]))
        out["nodes_missing_value_tracks_true"].append(int(node["missing"] == node["yes"]))
        stack.extend(node["children"])


def to_onnx(booster: Any, n_features: int, check_x: NDArray[np.float64], name: str = "bot_gbm",
            output: str = "bot_score") -> bytes:
    """Serialised ONNX model: input ``features`` float32 [N, n_features] -> `output` [N, 1] (probability)."""
    import onnx
    from onnx import TensorProto, helper

    attrs: dict[str, list[Any]] = {k: [] for k in (
        "nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values", "nodes_modes", "nodes_truenodeids",
        "nodes_falsenodeids", "nodes_missing_value_tracks_true", "target_treeids", "target_nodeids", "target_ids",
        "target_weights")}
    for tid, text in enumerate(booster.get_dump(dump_format="json")):
        _tree_nodes(json.loads(text), tid, attrs)
    options: dict[str, Any] = {"n_targets": 1, "base_values": [_base_margin(booster)],
                               "aggregate_function": "SUM", "post_transform": "NONE", **attrs}
    ensemble = helper.make_node("TreeEnsembleRegressor", ["features"], ["margin"], domain="ai.onnx.ml", **options)
    sigmoid = helper.make_node("Sigmoid", ["margin"], [output])
    graph = helper.make_graph(
        [ensemble, sigmoid], name,
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, [None, n_features])],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, [None, 1])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)],
                              producer_name=f"openidv.models.gbm:{name}")
    model.ir_version = 8
    onnx.checker.check_model(model)
    data = model.SerializeToString()
    _check_equivalent(data, booster, check_x)
    return bytes(data)


def _check_equivalent(data: bytes, booster: Any, x: NDArray[np.float64]) -> None:
    import onnxruntime as ort

    sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    got = sess.run(None, {"features": x.astype(np.float32)})[0][:, 0]
    want = predict_gbm(booster, x)
    diff = float(np.max(np.abs(got - want))) if x.size else 0.0
    if diff > 1e-4:
        raise RuntimeError(f"ONNX export differs from XGBoost by {diff:.2e}")
