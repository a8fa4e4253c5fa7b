"""Small builders of images and rules for the rules' tests."""

from glance_sync.images import Image
from glance_sync.rules.options import TargetRules

TENANT = 'tenant1id'


def image(name, image_id=None, *, size=1000, checksum=None, public=True,
          owner=TENANT, status='active', region='Valladolid', **props):
    """An image; the checksum defaults to one derived from the name."""
    return Image(id=image_id or 'id-' + name, name=name, region=region,
                 owner=owner, visibility='public' if public else 'private',
                 status=status, size=size,
                 checksum=checksum or 'sum-' + name, user_properties=props)


def copy_of(master, image_id=None, *, region='Burgos', **changes):
    """A regional copy of ``master`` (same content and metadata)."""
    return master.copy(id=image_id or 'r-' + master.id, region=region,
                       **changes)


def rules(name='master', **options):
    """Rules with the test tenant; sets may be given as lists."""
    for key, value in options.items():
        if isinstance(value, (list, tuple, set)):
            options[key] = frozenset(value)
    options.setdefault('tenant_id', TENANT)
    return TargetRules(name=name, **options)
