"""The transfer benchmark (run it with ``tools/bench-transfer``).

- :mod:`~tools.bench_transfer.__main__`: starts a local cloud in
  ``run/bench``, creates the image, runs every scenario ``--runs`` times
  (each in a child process), writes the results and stops the cloud;
- :mod:`~tools.bench_transfer.scenarios`: what a child process runs and
  measures (wall time, CPU time, peak RSS, bytes read from the master);
- :mod:`~tools.bench_transfer.report`: medians, ratios, targets, the
  results file and the table.
"""
