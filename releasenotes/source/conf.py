"""Sphinx configuration of the release notes (reno).

Build: ``sphinx-build -W -b html releasenotes/source releasenotes/build``;
the main documentation includes the same notes (doc/source/releasenotes).
New note: ``reno new <slug>`` from the repository root.
"""

project = 'glance-sync release notes'
copyright = 'glance-sync developers'
extensions = ['reno.sphinxext']
master_doc = 'index'
exclude_patterns = ['_build']
html_theme = 'alabaster'
