"""The WAN benchmark's tables, from its results (pure).

Figures are also given as ratios against ``star`` measured in the same
layout of the same run; a scenario with an unverified copy (or none) is
``FAILED`` and gets no ratio.
"""

from __future__ import annotations

from typing import Any, TextIO

__all__ = ['HEADER', 'link_rows', 'print_tables', 'rows']

HEADER = ('layout', 'scenario', 'result', 'wall s', 'x star',
          'master out (images)', 'x star', 'copies verified')
BASELINE = 'star'


def _ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return '-'
    return '%.2f' % (value / base)


def rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    """One row per layout and scenario, in :data:`HEADER`'s order."""
    out: list[tuple[str, ...]] = []
    for layout, data in results['layouts'].items():
        scenarios = data['scenarios']
        base = scenarios.get(BASELINE, {})
        base_ok = bool(base.get('ok'))
        for name, result in scenarios.items():
            ok = bool(result.get('ok'))
            wall = result.get('wall_s') if ok else None
            out_images = result.get('master_out_images') if ok else None
            copies = result.get('copies', {})
            verified = sum(1 for c in copies.values() if c.get('verified'))
            out.append((
                layout, name, 'ok' if ok else 'FAILED',
                '-' if wall is None else '%.1f' % wall,
                _ratio(wall, base.get('wall_s')) if base_ok else '-',
                '-' if out_images is None else '%.2f' % out_images,
                _ratio(out_images, base.get('master_out_images'))
                if base_ok else '-',
                '%d/%d' % (verified, result.get('expected_copies',
                                                len(copies)))))
    return out


def link_rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    """Per layout and scenario: each site's link, ``out/in`` in images."""
    out: list[tuple[str, ...]] = []
    for layout, data in results['layouts'].items():
        for name, result in data['scenarios'].items():
            links = result.get('links', {})
            cells = ['%s %.2f/%.2f' % (site, link['out_images'],
                                       link['in_images'])
                     for site, link in links.items()]
            out.append((layout, name, '  '.join(cells) or '-'))
    return out


def _table(header: tuple[str, ...], body: list[tuple[str, ...]],
           out: TextIO) -> None:
    table = [header] + body
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        out.write('  '.join(v.ljust(w) if i < 3 else v.rjust(w)
                            for i, (v, w) in enumerate(zip(row, widths)))
                  .rstrip() + '\n')


def print_tables(results: dict[str, Any], out: TextIO) -> None:
    """Print the summary table and the per-link table."""
    out.write('N = %d regions besides the master, every site link %s '
              'both ways, image %s (one link-time %.1f s)\n'
              % (results['regions'], _rate(results['rate']),
                 _size(results['size']), results['size'] / results['rate']))
    _table(HEADER, rows(results), out)
    out.write('\nbytes over each site link, out/in, in images (wire bytes, '
              'headers included):\n')
    _table(('layout', 'scenario', 'links'), link_rows(results), out)


def _rate(rate: int) -> str:
    return '%.2f MiB/s' % (rate / 2 ** 20)


def _size(size: int) -> str:
    return '%.1f MiB' % (size / 2 ** 20)
