"""`SequentialGraphRunner`: Rasa's prediction graph run without dask's scheduler.

Rasa 3.6 runs the trained graph for every NLU parse and every policy prediction (two or three per
message) with `DaskGraphRunner`: it cuts the schema down to the targets' dependencies, builds a
dask graph and hands it to dask's local scheduler, about 8 % of the assistant's CPU per message
under load (docs/benchmarks.md). The graph and the targets are the same every time, so this
runner works out the cut-down schema and an order of its nodes once per set of targets and then
calls the same `GraphNode`s one after the other with the same arguments dask would give them (the
`(name, output)` pairs of the nodes they need; an input's `(name, value)`). Nodes are functions
of their inputs, so any order in which a node's needs come first gives the same results.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

# A plan: the nodes to call in order, each with the names of the nodes (or inputs) it needs.
Plan = tuple[tuple[str, tuple[str, ...]], ...]


class SequentialGraphRunner(DaskGraphRunner):
    """`DaskGraphRunner` whose `run` calls the graph's nodes in a cached order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[tuple[tuple[str, ...], frozenset[str]], Plan] = {}

    def run(self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None) -> dict[str, Any]:
        """As `DaskGraphRunner.run`: the targets' outputs by node name."""
        inputs = inputs or {}
        run_targets = list(targets) if targets else self._graph_schema.target_names
        key = (tuple(run_targets), frozenset(inputs))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._plan(run_targets, inputs)
        # Dask hands a node the `(name, value)` literal of an input and the `(name, output)` result
        # of a node; a name it cannot resolve is passed as the bare name (GraphNode warns).
        results: dict[str, Any] = {name: (name, value) for name, value in inputs.items()}
        try:
            for node_name, needs in plan:
                results[node_name] = self._instantiated_nodes[node_name](
                    *(results.get(need, need) for need in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(results[target] for target in run_targets)

    def _plan(self, targets: list[str], inputs: dict[str, Any]) -> Plan:
        """The targets' dependencies in an order where every node comes after what it needs."""
        schema = self._graph_schema.minimal_graph_schema(targets)
        # The same check as dask's runner: an input must not shadow a node.
        self._add_inputs_to_graph(inputs, self._build_dask_graph(schema))
        ordered: list[str] = []
        visited: set[str] = set()

        def visit(name: str) -> None:
            if name in visited or name not in schema.nodes:
                return
            visited.add(name)
            for need in schema.nodes[name].needs.values():
                visit(need)
            ordered.append(name)

        for target in targets:
            visit(target)
        return tuple((name, tuple(schema.nodes[name].needs.values())) for name in ordered)
