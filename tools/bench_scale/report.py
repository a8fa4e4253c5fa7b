"""The scale benchmark's table, from its cases."""

from __future__ import annotations

from typing import Any, TextIO

__all__ = ['rows', 'print_table']

HEADER = ('N', 'M', 'req/upload/region', 'idle pass s', 'idle pass req',
          'idle enqueued', 'init sqlite s', 'init pg s', 'pairs',
          'burst events', 'burst s', 'burst req/event/region',
          'converged', 'peak RSS MB')


def _get(case: dict[str, Any], *path: str) -> Any:
    value: Any = case
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return '-'
        value = value[key]
    return value


def rows(cases: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """One row per case, in :data:`HEADER`'s order."""
    out = []
    for case in cases:
        n = case['regions']
        upload = _get(case, 'upload_event', 'requests', 'total')
        burst = _get(case, 'metadata_burst')
        events = _get(case, 'metadata_burst', 'events')
        per_event = ('-' if burst == '-' or not events else round(
            burst['requests']['total'] / events / n, 2))
        out.append((
            n, case['images'],
            upload if upload == '-' else round(upload / n, 2),
            _get(case, 'reconcile_idle', 'wall_s'),
            _get(case, 'reconcile_idle', 'requests', 'total'),
            _get(case, 'reconcile_idle', 'pairs'),
            _get(case, 'initial_sync_sqlite', 'wall_s'),
            _get(case, 'initial_sync_postgresql', 'wall_s'),
            _get(case, 'initial_sync_sqlite', 'pairs'), events,
            _get(case, 'metadata_burst', 'wall_s'), per_event,
            '%s/%s' % (_get(case, 'metadata_burst', 'converged_regions'), n),
            case.get('peak_rss_mb', '-')))
    return out


def print_table(cases: list[dict[str, Any]], out: TextIO) -> None:
    """Print the table (plain text, aligned columns)."""
    table = [HEADER] + [tuple(str(v) for v in row) for row in rows(cases)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    for row in table:
        out.write('  '.join(v.rjust(w) for v, w in zip(row, widths)) + '\n')
