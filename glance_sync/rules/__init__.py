"""The GlanceSync rules: pure functions, no I/O, no clients, no threads.

Modules, in the order a sync uses them:

- :mod:`~glance_sync.rules.options`: each target's rules
  (:class:`TargetRules`) and the sync's settings (:class:`SyncSettings`);
- :mod:`~glance_sync.rules.condition`: ``metadata_condition`` compiled from
  an AST whitelist, never ``eval``;
- :mod:`~glance_sync.rules.selection`: the master index
  (:class:`MasterIndex`) and which images each target synchronises;
- :mod:`~glance_sync.rules.matching`: each selected image's copy in a
  region;
- :mod:`~glance_sync.rules.metadata`, :mod:`~glance_sync.rules.checksum`,
  :mod:`~glance_sync.rules.ami`, :mod:`~glance_sync.rules.obsolete`: the
  decisions about one copy;
- :mod:`~glance_sync.rules.status` and :mod:`~glance_sync.rules.plan`:
  every image's status and the ordered :mod:`~glance_sync.rules.actions`
  that :mod:`glance_sync.engine` applies.

Usage::

    index = MasterIndex.build(master_images, master_tenant_id, 'Spain2')
    plan = plan_region(index, region_images, rules, 'Trento')
    print(plan.status_report(), plan.actions)
"""

from glance_sync.rules.condition import ConditionError, compile_condition
from glance_sync.rules.options import SyncSettings, TargetRules
from glance_sync.rules.plan import (RegionPlan, TenantUnknown, plan_region,
                                    status_region)
from glance_sync.rules.selection import MasterIndex
from glance_sync.rules.status import ImageStatus, Status, format_status

__all__ = ['ConditionError', 'ImageStatus', 'MasterIndex', 'RegionPlan',
           'Status', 'SyncSettings', 'TargetRules', 'TenantUnknown',
           'compile_condition', 'format_status', 'plan_region',
           'status_region']
