"""The GlanceSync rule options.

They exist three times, as in GlanceSync where ``[DEFAULT]`` gives defaults
to every target: in ``[DEFAULT]`` with the built-in defaults, in ``[sync]``
and in each ``[target:<name>]`` group, unset. A target's value is the
first one set among its own group, ``[sync]`` and ``[DEFAULT]``.
This module registers the ``[DEFAULT]`` copies; :func:`inherited_opts`
gives the unset copies to the other groups.
"""

from __future__ import annotations

from oslo_config import cfg

__all__ = ['RULE_OPTION_NAMES', 'inherited_opts', 'list_opts',
           'register_opts']

_HELP = {
    'metadata_condition':
        'A condition on `image` (fields id, name, owner, size, region, '
        'is_public, visibility, status, checksum, user_properties) and '
        '`metadata_set` that selects the master images to synchronise, '
        'e.g. "image.is_public and image.user_properties.get(\'type\') == '
        '\'baseimage\'". It is parsed, never evaluated as Python. Unset: '
        'public images carrying one of metadata_set\'s properties (every '
        'public image when metadata_set is empty).',
    'metadata_set':
        'Image properties to synchronise. When set, only these properties '
        'mirror the master (set, changed or removed) and every other '
        'regional property is left alone; when empty, all the master\'s '
        'properties are copied.',
    'forcesyncs':
        'Ids of master images synchronised unconditionally, even private '
        'ones.',
    'dontupdate':
        'Checksums of regional images never replaced nor renamed, even when '
        'they differ from the master (status ok_stalled_checksum).',
    'rename':
        'Checksums of regional images renamed to "<name>.old" (and made '
        'private) before the master\'s image is uploaded; "any" matches '
        'every checksum not listed elsewhere.',
    'replace':
        'Checksums of regional images replaced by the master\'s image; "any" '
        'matches every checksum not listed elsewhere.',
    'only_tenant_images':
        'Only consider the regional images owned by the synchronising '
        'project, ignoring other projects\' public images.',
    'support_obsolete_images':
        'Propagate the renaming of master images to "<name>_obsolete" (and '
        'their visibility) to the regions.',
    'obsolete_syncprops':
        'Properties also synchronised on obsolete images.',
    'ignore_regions':
        'Regions skipped when a sync names no region or names the whole '
        'target ("target:").',
    'dont_replicate':
        'Image properties never copied, compared nor removed (glance-'
        'replicator\'s dontreplicate). Core attributes Glance sets itself '
        '(owner, created_at, updated_at, ...) are never copied anyway: '
        'naming them is harmless.',
}
_BOOL_DEFAULTS = {'only_tenant_images': True, 'support_obsolete_images': True}
#: Where an unset option of a group takes its value from.
INHERIT_FROM = {'sync': '[DEFAULT]', 'target': '[sync], else [DEFAULT]'}

#: Every rule option name, in the order the sample file shows them.
RULE_OPTION_NAMES = tuple(_HELP)


def _make_opts(inherit_from: str | None) -> list[cfg.Opt]:
    inherit = inherit_from is not None
    suffix = ' Unset: the value in %s.' % inherit_from if inherit else ''
    opts: list[cfg.Opt] = []
    for name, text in _HELP.items():
        help_text = text + suffix
        if name == 'metadata_condition':
            opts.append(cfg.StrOpt(name, help=help_text))
        elif name in _BOOL_DEFAULTS:
            default = None if inherit else _BOOL_DEFAULTS[name]
            opts.append(cfg.BoolOpt(name, default=default, help=help_text))
        else:
            deprecated = ([cfg.DeprecatedOpt('ignore_region')]
                          if name == 'ignore_regions' else None)
            opts.append(cfg.ListOpt(name, default=None if inherit else [],
                                    deprecated_opts=deprecated,
                                    help=help_text))
    return opts


_DEFAULT_OPTS = _make_opts(None)


def inherited_opts(kind: str) -> list[cfg.Opt]:
    """Unset copies of the rule options for other groups.

    :param kind: ``sync`` or ``target``, a key of :data:`INHERIT_FROM`.
    """
    return _make_opts(INHERIT_FROM[kind])


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register the rule options' defaults in ``[DEFAULT]``."""
    conf.register_opts(_DEFAULT_OPTS)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """The options of this module, for the config generator."""
    return [('DEFAULT', _DEFAULT_OPTS)]
