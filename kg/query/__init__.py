"""Queries: the guard that checks a client's SPARQL before it runs, :func:`~kg.query.sparql.execute`
with the result serialisers, and the engines (local, pool, remote) behind one interface."""
