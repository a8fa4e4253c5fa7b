"""``tools/bench-scale``: the daemon against N regions x M images.

See :mod:`tools.bench_scale.__main__` for what it measures and
:mod:`tools.bench_scale.fakeglance` for the Glance it runs against.
"""
