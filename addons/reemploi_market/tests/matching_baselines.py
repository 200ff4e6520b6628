"""Reference solvers for the matching tests and bench/bench_matching.py.

Plain Python, not used by the addon: a greedy baseline and a brute force
for small instances, both on the arcs of a flow as the matching service
builds them (left nodes with a supply, right nodes with a capacity, arcs
``tail -> head`` with a capacity and a value per unit).
"""

import numpy as np


def greedy_flow(supply, capacity, tail, head, arc_capacity, value):
    """Arcs by decreasing value (then index), each filled as far as it can."""
    supply, capacity = list(supply), list(capacity)
    flow = [0] * len(tail)
    for arc in np.lexsort((np.arange(len(tail)), -np.asarray(value))):
        left, right = tail[arc], head[arc]
        amount = min(arc_capacity[arc], supply[left], capacity[right])
        if amount > 0:
            flow[arc] = int(amount)
            supply[left] -= amount
            capacity[right] -= amount
    return flow


def brute_force_total(supply, capacity, tail, head, arc_capacity, value):
    """Best ``sum(flow * value)`` over every integral flow (small inputs)."""
    supply, capacity = list(supply), list(capacity)

    def best(arc):
        if arc == len(tail):
            return 0
        left, right = tail[arc], head[arc]
        result = best(arc + 1)
        most = min(arc_capacity[arc], supply[left], capacity[right])
        for amount in range(1, most + 1):
            supply[left] -= amount
            capacity[right] -= amount
            result = max(result, amount * int(value[arc]) + best(arc + 1))
            supply[left] += amount
            capacity[right] += amount
        return result

    return best(0)


def lot_flow_inputs(arcs):
    """The flow of the assignment, from the service's ``LotArcs``."""
    return (
        [1] * len(arcs.lots),
        [operator.capacity for operator in arcs.operators],
        arcs.tail,
        arcs.head,
        [1] * len(arcs.tail),
        arcs.centi,
    )


def demand_flow_inputs(arcs):
    """The flow of the stock allocation, from the service's ``DemandArcs``."""
    return (
        arcs.supply,
        arcs.wanted,
        arcs.tail,
        arcs.head,
        np.minimum(arcs.supply[arcs.tail], arcs.wanted[arcs.head]),
        arcs.centi,
    )
