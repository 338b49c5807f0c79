"""Drift monitoring of a served model: inputs, encoded angles, outputs against shot noise, label-free accuracy
and device calibrations, each detector in its own module behind one typed result."""
