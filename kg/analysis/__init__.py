"""Analysis over the graph, read through a query engine: NetworkX relation views, node
metrics, and the comparison of two documents."""
