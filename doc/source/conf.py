"""Sphinx configuration of the glance-sync documentation.

Build (from the repository root)::

    tox -e docs
    # or, in the project's virtualenv:
    .venv/bin/sphinx-build -W -b html doc/source doc/build/html
"""

project = 'glance-sync'
copyright = 'glance-sync developers'
author = 'glance-sync developers'

extensions = [
    # The option reference and the sample files, from the code.
    'oslo_config.sphinxext',
    'oslo_config.sphinxconfiggen',
    'oslo_policy.sphinxext',
    'oslo_policy.sphinxpolicygen',
    # Release notes from releasenotes/notes.
    'reno.sphinxext',
]

config_generator_config_file = (
    '../../etc/oslo-config-generator/glance-sync.conf')
sample_config_basename = '_static/glance-sync'
policy_generator_config_file = (
    '../../etc/oslo-policy-generator/glance-sync.conf')
sample_policy_basename = '_static/glance-sync'

exclude_patterns = ['_build']
master_doc = 'index'
pygments_style = 'sphinx'
html_theme = 'alabaster'
html_static_path = ['_static']
html_theme_options = {
    'description': 'Keep the images of many OpenStack regions in sync '
                   'with one master Glance',
}
