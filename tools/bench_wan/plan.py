"""The WAN benchmark's sites, addresses and glance-sync settings (pure).

A *layout* puts the master region and N others into sites:

* ``per-region``: the master's site ``hq`` holds the master region only,
  and every other region is a site of its own (``site1``...);
* ``grouped``: ``hq`` again, and the N regions spread over three remote
  sites, the first ones largest (N = 7: 3 + 2 + 2).

Every site gets a network namespace and two addresses: a *data* address
on the shaped link to the core (what the Keystone catalog lists, where
image bytes go) and a *control* address on an unshaped link to this
machine (Keystone, the journal database, the broker, the coordination
backend and the benchmark's own checks).

The glance-sync settings are the ones ``doc/source/multisite.rst`` gives
operators: ``[region:X] site``, ``[site:X] link_costs`` (the master site's
links costlier than the links between remote sites), site workers with
``[daemon] sites``, and ``share_store`` for zero-copy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

__all__ = ['CORE_NS', 'CTL_BRIDGE', 'CTL_HOST', 'DATA_BRIDGE', 'LAYOUTS',
           'MASTER_SITE', 'SCENARIOS', 'SHARE_PORT', 'Site', 'link_costs',
           'plan_sites', 'region_sections']

#: Every name this benchmark gives a namespace or a link starts with it.
PREFIX = 'gsw-'
CORE_NS = PREFIX + 'core'
DATA_BRIDGE = PREFIX + 'br'
CTL_BRIDGE = PREFIX + 'ctl'
#: This machine's address on the control network: Keystone and the
#: forwarders to PostgreSQL, RabbitMQ and Redis listen there.
CTL_HOST = '10.78.0.1'
DATA_NET = '10.77.0.'
CTL_NET = '10.78.0.'
PREFIX_LEN = 24
MASTER_SITE = 'hq'
#: Port of each site's read-only web export of the master's file store
#: (zero-copy), inside the site's namespace.
SHARE_PORT = 8080
LAYOUTS = ('per-region', 'grouped')
SCENARIOS = ('star', 'glance-download', 'relay', 'zero-copy')
#: Link costs declared: leaving the master site costs more than a link
#: between two remote sites, so relays prefer the remote sites.
MASTER_LINK_COST = 100
REMOTE_LINK_COST = 10
REMOTE_SITES_GROUPED = 3


@dataclasses.dataclass(frozen=True)
class Site:
    """One site of the benchmark.

    :param name: its glance-sync name (``hq``, ``site1``...).
    :param index: 0 for the master's site, then 1, 2...
    :param regions: the regions it holds.
    """

    name: str
    index: int
    regions: tuple[str, ...]

    @property
    def netns(self) -> str:
        """Its network namespace."""
        return '%ss%d' % (PREFIX, self.index)

    @property
    def data_address(self) -> str:
        """Its address on the shaped link (the catalog lists it)."""
        return '%s%d' % (DATA_NET, 10 + self.index)

    @property
    def ctl_address(self) -> str:
        """Its address on the unshaped control link."""
        return '%s%d' % (CTL_NET, 10 + self.index)

    @property
    def data_dev(self) -> str:
        """Its end of the shaped veth pair, inside its namespace."""
        return '%sd%d' % (PREFIX, self.index)

    @property
    def core_dev(self) -> str:
        """The core's end of its shaped veth pair (on the bridge)."""
        return '%sb%d' % (PREFIX, self.index)

    @property
    def ctl_dev(self) -> str:
        """Its end of the control veth pair."""
        return '%sc%d' % (PREFIX, self.index)

    @property
    def host_dev(self) -> str:
        """This machine's end of its control veth pair."""
        return '%sh%d' % (PREFIX, self.index)


def _split(regions: Sequence[str], parts: int) -> list[tuple[str, ...]]:
    """``regions`` in ``parts`` consecutive groups, the first ones largest
    (7 in 3: 3, 2, 2); never an empty group."""
    parts = min(parts, len(regions))
    size, extra = divmod(len(regions), parts)
    groups, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        groups.append(tuple(regions[start:end]))
        start = end
    return groups


def plan_sites(layout: str, master: str,
               regions: Sequence[str]) -> list[Site]:
    """The sites of ``layout``, the master's first.

    :param layout: one of :data:`LAYOUTS`.
    :param master: the master region.
    :param regions: the other regions.
    :raises ValueError: for an unknown layout or no region.
    """
    if not regions:
        raise ValueError('a WAN layout needs at least one region besides '
                         'the master')
    groups: list[tuple[str, ...]]
    if layout == 'per-region':
        groups = [(region,) for region in regions]
    elif layout == 'grouped':
        groups = _split(regions, REMOTE_SITES_GROUPED)
    else:
        raise ValueError('unknown layout %r (known: %s)'
                         % (layout, ', '.join(LAYOUTS)))
    return [Site(MASTER_SITE, 0, (master,))] + [
        Site('site%d' % index, index, group)
        for index, group in enumerate(groups, 1)]


def link_costs(sites: Sequence[Site]) -> dict[str, str]:
    """``[site:X] link_costs`` of every site: each link declared once, at
    the end listed first."""
    costs = {}
    for pos, site in enumerate(sites):
        entries = ['%s:%d' % (other.name, MASTER_LINK_COST
                              if MASTER_SITE in (site.name, other.name)
                              else REMOTE_LINK_COST)
                   for other in sites[pos + 1:]]
        if entries:
            costs[site.name] = ', '.join(entries)
    return costs


def region_sections(sites: Sequence[Site],
                    share: dict[str, str] | None = None
                    ) -> dict[str, dict[str, str]]:
    """The ``[region:X]`` and ``[site:X]`` groups of ``glance-sync.conf``.

    :param sites: the layout's sites.
    :param share: ``share_store`` values, by region (zero-copy).
    """
    sections: dict[str, dict[str, str]] = {}
    for site in sites:
        for region in site.regions:
            sections['region:%s' % region] = {'site': site.name}
            if share and region in share:
                sections['region:%s' % region]['share_store'] = share[region]
    for name, costs in link_costs(sites).items():
        sections['site:%s' % name] = {'link_costs': costs}
    return sections


def site_of(sites: Sequence[Site], region: str) -> Site:
    """:returns: the site holding ``region``.

    :raises KeyError: when none does.
    """
    for site in sites:
        if region in site.regions:
            return site
    raise KeyError('no site holds region %s' % region)


def share_url(site: Site) -> str:
    """The web export of the master's store inside ``site``."""
    return 'http://%s:%d/' % (site.data_address, SHARE_PORT)


def with_baseline(scenarios: Sequence[str]) -> list[str]:
    """``scenarios`` in the order given, ``star`` first: every ratio is
    against ``star`` measured in the same run."""
    return ['star'] + [name for name in dict.fromkeys(scenarios)
                       if name != 'star']


def daemon_sites(scenario: str, sites: Sequence[Site]) -> list[Site]:
    """Where the scenario runs a glance-sync daemon: one site worker per
    site for ``relay``, else one daemon at the master's site."""
    if scenario not in SCENARIOS:
        raise ValueError('unknown scenario %r (known: %s)'
                         % (scenario, ', '.join(SCENARIOS)))
    return list(sites) if scenario == 'relay' else [sites[0]]


def sync_sections(scenario: str, sites: Sequence[Site], token: str,
                  master_store_dir: str) -> dict[str, dict[str, str]]:
    """The scenario's ``glance-sync.conf`` groups besides the targets'
    credentials, as ``doc/source/multisite.rst`` and
    ``doc/source/transfer.rst`` give them.

    :param token: only master images whose ``gs_bench`` property is this
        are synchronised (each scenario uploads its own image).
    :param master_store_dir: the master's ``file`` store directory, which
        the zero-copy regions read through their site's web export.
    """
    share = None
    if scenario == 'zero-copy':
        share = {region: 'file://%s/ -> %s' % (
                     master_store_dir.rstrip('/'), share_url(site))
                 for site in sites[1:] for region in site.regions}
    sections = {
        'sync': {'targets': 'master',
                 'metadata_condition':
                     "image.user_properties.get('gs_bench') == '%s'" % token},
        'target:master': {'transfer_strategy': 'glance-download'
                          if scenario == 'glance-download' else 'stream'},
        **region_sections(sites, share)}
    if scenario == 'relay':
        # One uplink per site: the guide's copies_per_source for that case.
        sections['transfer'] = {'relay': 'true', 'copies_per_source': '1'}
    return sections
