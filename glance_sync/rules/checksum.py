"""What to do with a regional image whose content differs from the master.

GlanceSync never overwrites an image unless told to. The checksum of the
regional copy decides, in this order (the order of GlanceSync's code, which
the recorded scenarios follow; its README lists the two ``any`` cases the
other way round):

1. in ``dontupdate``: leave it (``ok_stalled_checksum``);
2. in ``replace``: upload the master image, then delete the old one;
3. in ``rename``, or ``rename`` contains ``any``: rename the old one to
   ``<name>.old`` (private), then upload;
4. ``replace`` contains ``any``: replace;
5. otherwise leave it and warn (``error_checksum``).
"""

from __future__ import annotations

from glance_sync.rules.options import TargetRules
from glance_sync.rules.status import Status

__all__ = ['ANY', 'CHECKSUM_WARNING', 'OLD_SUFFIX', 'decide']

#: The checksum-list word that matches every checksum.
ANY = 'any'
#: The suffix a renamed old copy gets.
OLD_SUFFIX = '.old'
#: GlanceSync's warning for a conflict no rule covers (same text).
CHECKSUM_WARNING = (
    'Image %(name)s has a different checksum (%(checksum)s) in region '
    '%(region)s than in the master region. It was not set what to do. '
    'Please, fill either dontupdate, replace or rename with the checksum.')


def decide(checksum: str | None, rules: TargetRules) -> Status:
    """The status of a regional copy whose checksum differs from the master.

    :param checksum: the regional copy's checksum.
    :param rules: the target's ``dontupdate``, ``replace`` and ``rename``.
    :returns: ``ok_stalled_checksum``, ``pending_replace``,
        ``pending_rename`` or ``error_checksum``.
    """
    if checksum in rules.dontupdate:
        return Status.OK_STALLED_CHECKSUM
    if checksum in rules.replace:
        return Status.PENDING_REPLACE
    if checksum in rules.rename or ANY in rules.rename:
        return Status.PENDING_RENAME
    if ANY in rules.replace:
        return Status.PENDING_REPLACE
    return Status.ERROR_CHECKSUM
