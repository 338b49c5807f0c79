"""Sweeps: many audits over a grid, on this machine or a Dask cluster, with the same digest either way."""
