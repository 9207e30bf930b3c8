"""The local cluster (`make run-cluster`): Rasa instances behind nginx on PostgreSQL and Redis."""

from tools.cluster.cluster import Cluster

__all__ = ["Cluster"]
