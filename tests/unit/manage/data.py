"""A small offline cloud for the manage tests: config and backup files.

Master region ``Master`` (target ``master``, tenant ``t1`` → owner
``t1id``) holds three public images ``a`` (10 bytes), ``b`` (20) and
``c`` (30, property ``type=x``). Regions: ``R1`` (has ``a``), ``R2``
(ignored by ``master``), ``other:O1`` (empty; target ``other`` only takes
images whose ``type`` is ``x``).
"""

import base64
import os

from glance_sync.images import Image
from glance_sync.regions import csvfile

PASSWORD = base64.b64encode(b'pw').decode()
LEGACY = """\
[main]
master_region = Master
preferable_order = R2, other:O1

[master]
credential = u,%(pw)s,http://k:5000/v3,t1
ignore_regions = R2

[other]
credential = u2,%(pw)s,http://k2:5000/v3,t2
metadata_condition = image.user_properties.get('type') == 'x'
""" % {'pw': PASSWORD}

NATIVE = """\
[sync]
master_region = Master
preferable_order = R2, other:O1

[target:master]
auth_type = password
auth_url = http://k:5000/v3
username = u
password = pw
project_name = t1
ignore_regions = R2
owner_project_id = t1id

[target:other]
auth_type = password
auth_url = http://k2:5000/v3
username = u2
password = pw
project_name = t2
owner_project_id = t2id
metadata_condition = image.user_properties.get('type') == 'x'
"""


def image(region, name, size, owner='t1id', props=None, image_id=None):
    return Image(id=image_id or '%s-%s' % (region, name), name=name,
                 region=region, owner=owner, visibility='public',
                 status='active', size=size, checksum='md5-%s' % name,
                 user_properties=dict(props or {}))


MASTER = [image('Master', 'a', 10), image('Master', 'b', 20),
          image('Master', 'c', 30, props={'type': 'x'})]


def write_cloud(folder):
    """The backup files and both configurations in ``folder``.

    :returns: ``(legacy config path, native config path, backups folder)``.
    """
    backups = os.path.join(folder, 'backups')
    os.makedirs(backups)
    regions = {'Master': MASTER, 'R1': [image('R1', 'a', 10)], 'R2': [],
               'other:O1': []}
    for name, images in regions.items():
        csvfile.write_backup(csvfile.backup_path(backups, name), images)
    paths = []
    for text, name in ((LEGACY, 'glancesync.conf'),
                       (NATIVE, 'glance-sync.conf')):
        path = os.path.join(folder, name)
        with open(path, 'w') as stream:
            stream.write(text)
        paths.append(path)
    return paths[0], paths[1], backups


def snapshot(folder):
    """Every file of a folder with its bytes."""
    found = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), 'rb') as stream:
            found[name] = stream.read()
    return found
