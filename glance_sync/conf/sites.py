"""Sites, links and regions: where each region is and what reaches it.

A federation spreads its regions over sites far apart. Each region may
get a ``[region:<qualified name>]`` group (``[region:RegionTwo]`` for a
region of the master target, ``[region:other:RegionFour]`` for one of the
target ``other``) and each site a ``[site:<name>]`` group::

    [region:RegionTwo]
    site = east
    # Bytes per second into this region, every copy together.
    max_rate = 50000000
    # The master's store locations this region's Glance reads: its copies
    # get a location, not a copy of the data. "<prefix>" when the region
    # reads them as they are (a shared Ceph pool), "<master prefix> ->
    # <region prefix>" when it reaches them under another address (a
    # read-only web export of the master's file store).
    share_store = file:///srv/glance/images/ -> http://images.east:8080/

    [site:east]
    # Bytes per second over the link between this site and another one,
    # shared by every copy that crosses it (either way).
    link_rates = west:12500000
    # Relative cost of the link (lower is preferred), for choosing where
    # a copy comes from.
    link_costs = west:10

A region without ``site`` is a site of its own (named after the region),
so copies to it cross no declared link. ``[daemon] regions`` and
``[daemon] sites`` make a daemon a *site worker*: it claims the tasks of
those regions only, and takes over any other region's task due for more
than ``[daemon] takeover_delay`` seconds (its own worker is down or
overwhelmed), so nothing starves.

The groups are dynamic: :func:`register_found` registers every group of
these two kinds that the files hold; :func:`load_topology` reads them into
a :class:`SiteTopology`, checked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from oslo_config import cfg
from oslo_config import types

from glance_sync.conf import groups
from glance_sync.conf.errors import ConfigError
from glance_sync.conf.numbers import FiniteFloatOpt

__all__ = ['REGION_PREFIX', 'SITE_PREFIX', 'SiteTopology', 'list_opts',
           'load_topology', 'register_found', 'register_opts',
           'worker_regions']

REGION_PREFIX = 'region:'
SITE_PREFIX = 'site:'

_DAEMON = cfg.OptGroup('daemon', title='glance-sync daemon')

_DAEMON_OPTS: list[cfg.Opt] = [
    cfg.ListOpt('regions', default=[],
                help='The regions (qualified names: "RegionTwo", '
                     '"other:RegionFour") whose tasks this daemon claims: a '
                     'site worker. Empty, with sites empty too: every '
                     'region. Daemons of several sites share the journal '
                     'database, the broker and the coordination backend.'),
    cfg.ListOpt('sites', default=[],
                help='Sites (see [region:<name>] site) whose regions\' '
                     'tasks this daemon claims, in addition to "regions".'),
    FiniteFloatOpt('takeover_delay', default=600.0, min=0,
                   help='A site worker also claims the task of any other '
                        'region once it has been due for this many seconds '
                        'without being claimed: that region\'s worker is '
                        'down or overwhelmed, and its tasks must not '
                        'starve.'),
]

_REGION_OPTS: list[cfg.Opt] = [
    cfg.StrOpt('site',
               help='The site this region is at. Unset: a site of its own, '
                    'named after the region.'),
    cfg.IntOpt('max_rate', default=0, min=0,
               help='Bytes per second into this region, shared by every copy '
                    'to it (a token bucket); 0: no cap.'),
    cfg.ListOpt('share_store', default=[],
                help='Location URI prefixes of the master\'s store that this '
                     'region\'s Glance can read: "<prefix>" when it reads '
                     'them as they are (a shared Ceph pool "rbd://<fsid>/'
                     'images/", a Swift or S3 container), "<master prefix> '
                     '-> <region prefix>" when it reaches them under another '
                     'address (Glance refuses file:// locations: export a '
                     'shared file store read-only over http). A master '
                     'image stored under one of them is not copied: its '
                     'location is added to the region\'s image with '
                     'Glance\'s location API (stores other than http need '
                     'the "service" role) and the region\'s Glance hashes '
                     'it, so the copy is still checked. The region must '
                     'not be able to delete from that store. Empty: copy '
                     'the data.'),
]

_SITE_OPTS: list[cfg.Opt] = [
    cfg.Opt('link_rates', default={},
            type=types.Dict(types.Integer(min=1)),
            help='Bytes per second over the link between this site and '
                 'another one, "<site>:<rate>", shared by every copy '
                 'crossing it (either way). A link declared at both '
                 'ends gets the lower rate. Unlisted: no cap.'),
    cfg.Opt('link_costs', default={},
            type=types.Dict(types.Integer(min=0)),
            help='Relative cost of the link between this site and '
                 'another one, "<site>:<cost>" (lower is preferred), for '
                 'choosing the source of a copy. Unlisted: 1 between '
                 'two sites, 0 within one.'),
]


@dataclasses.dataclass(frozen=True)
class SiteTopology:
    """Sites, links and per-region settings, as configured. Immutable."""

    #: Qualified region name -> its site (only regions that name one).
    region_sites: dict[str, str] = dataclasses.field(default_factory=dict)
    #: Qualified region name -> bytes per second into it (capped ones).
    region_rates: dict[str, int] = dataclasses.field(default_factory=dict)
    #: Qualified region name -> (master prefix, region prefix) pairs of
    #: the master's locations it reads.
    shared_stores: dict[str, tuple[tuple[str, str], ...]] = (
        dataclasses.field(default_factory=dict))
    #: Sorted pair of sites -> bytes per second over their link.
    link_rates: dict[tuple[str, str], int] = dataclasses.field(
        default_factory=dict)
    #: Sorted pair of sites -> relative cost of their link.
    link_costs: dict[tuple[str, str], int] = dataclasses.field(
        default_factory=dict)

    def site_of(self, region: str) -> str:
        """A region's site; a region without one is its own site."""
        return self.region_sites.get(region, region)

    def link_of(self, one: str, other: str) -> tuple[str, str] | None:
        """The link between two regions' sites; ``None`` within a site."""
        first, second = self.site_of(one), self.site_of(other)
        if first == second:
            return None
        return (first, second) if first < second else (second, first)

    def link_rate(self, one: str, other: str) -> int | None:
        """Bytes per second over the link between two regions' sites, if
        capped."""
        link = self.link_of(one, other)
        return None if link is None else self.link_rates.get(link)

    def link_cost(self, one: str, other: str) -> int:
        """The cost of the link between two regions' sites (for relays):
        0 within a site, 1 when not declared."""
        link = self.link_of(one, other)
        return 0 if link is None else self.link_costs.get(link, 1)

    def regions_at(self, sites: Iterable[str]) -> set[str]:
        """The regions declared at any of ``sites``."""
        wanted = set(sites)
        return {r for r, s in self.region_sites.items() if s in wanted}


def _files(conf: cfg.ConfigOpts) -> str | None:
    return ', '.join(conf.config_file) or None


def register_found(conf: cfg.ConfigOpts) -> tuple[list[str], list[str]]:
    """Register every ``[region:...]`` and ``[site:...]`` group the parsed
    files hold.

    :returns: ``(regions, sites)``: the names, sorted.
    """
    regions, sites = [], []
    for section in sorted(conf.list_all_sections()):
        if section.startswith(REGION_PREFIX):
            groups.register(conf, cfg.OptGroup(section), _REGION_OPTS)
            regions.append(section[len(REGION_PREFIX):])
        elif section.startswith(SITE_PREFIX):
            groups.register(conf, cfg.OptGroup(section), _SITE_OPTS)
            sites.append(section[len(SITE_PREFIX):])
    return regions, sites


def _read(conf: cfg.ConfigOpts, group: str, option: str) -> Any:
    try:
        return conf[group][option]
    except (cfg.ConfigFileValueError, ValueError) as exc:
        raise ConfigError(_files(conf), group, option, str(exc)) from exc


def _links(conf: cfg.ConfigOpts, sites: list[str], option: str
           ) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for site in sites:
        group = SITE_PREFIX + site
        values = _read(conf, group, option)
        for other, value in values.items():
            if other == site:
                raise ConfigError(_files(conf), group, option,
                                  'site %r: a link needs two sites' % other)
            link = (site, other) if site < other else (other, site)
            found[link] = min(value, found.get(link, value))
    return found


def _share_entry(conf: cfg.ConfigOpts, group: str,
                 item: str) -> tuple[str, str]:
    master, _, region = (p.strip() for p in item.partition('->'))
    region = region or master
    for prefix in (master, region):
        if '://' not in prefix:
            raise ConfigError(_files(conf), group, 'share_store',
                              '%r is not a location URI prefix (like '
                              'rbd://fsid/pool/ or http://host/images/)'
                              % prefix)
    return master, region


def load_topology(conf: cfg.ConfigOpts) -> SiteTopology:
    """Read the site and region groups (registering them, and the site
    worker options of ``[daemon]``, first).

    :raises ConfigError: a value is unusable, naming the file, group and
        option.
    """
    register_opts(conf)
    regions, sites = register_found(conf)
    region_sites, rates, shared = {}, {}, {}
    for region in regions:
        group = REGION_PREFIX + region
        site = _read(conf, group, 'site')
        if site is not None:
            if not str(site).strip():
                raise ConfigError(_files(conf), group, 'site', 'empty')
            region_sites[region] = str(site).strip()
        rate = _read(conf, group, 'max_rate')
        if rate:
            rates[region] = int(rate)
        entries = [_share_entry(conf, group, item)
                   for item in _read(conf, group, 'share_store') or ()
                   if item.strip()]
        if entries:
            shared[region] = tuple(entries)
    return SiteTopology(region_sites, rates, shared,
                        _links(conf, sites, 'link_rates'),
                        _links(conf, sites, 'link_costs'))


def worker_regions(conf: cfg.ConfigOpts) -> frozenset[str] | None:
    """The regions a daemon claims tasks for: ``[daemon] regions`` and
    the regions of ``[daemon] sites``; ``None`` when both are empty
    (every region).

    :raises ConfigError: a site named there has no region.
    """
    register_opts(conf)
    group = conf.daemon
    regions = {r.strip() for r in group.regions if r.strip()}
    wanted = [s.strip() for s in group.sites if s.strip()]
    if not regions and not wanted:
        return None
    topology = load_topology(conf)
    for site in wanted:
        found = topology.regions_at([site])
        if not found:
            raise ConfigError(_files(conf), 'daemon', 'sites',
                              'no [region:<name>] group has site = %s'
                              % site)
        regions |= found
    return frozenset(regions)


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register the site worker options of ``[daemon]``; the region and
    site groups are registered by :func:`register_found`."""
    groups.register(conf, _DAEMON, _DAEMON_OPTS)


def list_opts() -> list[tuple[cfg.OptGroup, list[cfg.Opt]]]:
    """Options for the config generator, with one example region and
    site group."""
    return [(_DAEMON, _DAEMON_OPTS),
            (cfg.OptGroup(REGION_PREFIX + 'example',
                          help='Where the region "example" is and what '
                               'reaches it: one group per region, named '
                               'after its qualified name ([region:'
                               'RegionTwo], [region:other:RegionFour]).'),
             _REGION_OPTS),
            (cfg.OptGroup(SITE_PREFIX + 'example',
                          help='The links of the site "example" (one group '
                               'per site).'),
             _SITE_OPTS)]
