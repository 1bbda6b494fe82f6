"""Example partner subgraphs: starting points for partners to copy."""
