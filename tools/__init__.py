"""Developer tools of glance-sync: the local cloud, benchmarks, helpers."""
