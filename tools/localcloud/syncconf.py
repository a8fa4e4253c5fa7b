"""A native ``glance-sync.conf`` for a local cloud.

The demo, the functional tests and the benchmarks all point glance-sync at
the cloud ``tools/localcloud`` started; this writes the matching file.
"""

from __future__ import annotations

import configparser
import os
import pathlib
from collections.abc import Mapping

from tools.localcloud import info as info_mod

__all__ = ['authtoken_section', 'write_sync_config']


def _target_section(target: info_mod.TargetInfo) -> dict[str, str]:
    creds = target.credentials
    return {
        'auth_type': 'password',
        'auth_url': creds.auth_url,
        'username': creds.username,
        'password': creds.password,
        'project_name': creds.project_name,
        'user_domain_name': creds.user_domain_name,
        'project_domain_name': creds.project_domain_name,
    }


def authtoken_section(cloud: info_mod.CloudInfo) -> dict[str, str]:
    """``[keystone_authtoken]`` for glance-sync's REST API: the master
    target's account validates the callers' tokens."""
    creds = cloud.targets[cloud.master_target].credentials
    return {'www_authenticate_uri': creds.auth_url,
            **_target_section(cloud.targets[cloud.master_target])}


def write_sync_config(cloud: info_mod.CloudInfo, path: os.PathLike[str] | str,
                      sections: Mapping[str, Mapping[str, str]] = ()
                      ) -> pathlib.Path:
    """Write a native configuration with one target per Keystone.

    :param cloud: the running cloud.
    :param path: where to write (mode 600: it holds passwords).
    :param sections: extra options, merged into the named sections
        (``{'target:master': {'metadata_set': 'type'}}``).
    :returns: the path written.
    """
    parser = configparser.ConfigParser(interpolation=None)
    parser['sync'] = {'master_region': cloud.master_region,
                      'targets': ','.join(cloud.targets)}
    for name, target in cloud.targets.items():
        parser['target:%s' % name] = _target_section(target)
    for section, options in dict(sections).items():
        if (section != parser.default_section
                and not parser.has_section(section)):
            parser.add_section(section)
        parser[section].update(options)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
              'w') as out:
        parser.write(out)
    return path


def write_ini(path: os.PathLike[str] | str,
              sections: Mapping[str, Mapping[str, str]]) -> pathlib.Path:
    """Write ``sections`` as an ini file (a daemon's own options: no
    secrets, so the default mode).

    :returns: the path written.
    """
    lines = []
    for name, options in sections.items():
        lines.append('[%s]' % name)
        lines += ['%s = %s' % item for item in options.items()]
        lines.append('')
    path = pathlib.Path(path)
    path.write_text('\n'.join(lines))
    return path
