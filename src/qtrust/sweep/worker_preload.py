"""Imported by each Dask worker as it starts (``LocalCluster(preload=...)``): the audit's modules load once,
while the cluster comes up, instead of inside the first member each worker runs."""

import qtrust.audit
import qtrust.audit.data_prep
import qtrust.results.metrics_table  # noqa: F401
