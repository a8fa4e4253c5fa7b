"""Medians, ratios, the targets, the results file and the table."""

from __future__ import annotations

import json
import os
import pathlib
import statistics
from typing import Any

GiB = 1024 ** 3
#: What the issue asks of stream and store.
MAX_RATIO_TO_LIMIT = 1.05
MAX_PEAK_RSS_MIB = 150
READ_ONCE = ('stream', 'store')
_ORDER = {name: number for number, name in enumerate(
    ('single', 'limit', 'sequential', 'glance-download', 'stream', 'store'))}


def summarise(runs: dict[str, list[dict[str, Any]]],
              size: int) -> dict[str, dict[str, Any]]:
    """Per scenario: medians and ratios to ``single`` and ``limit``."""
    medians = {name: statistics.median(r['seconds'] for r in done)
               for name, done in runs.items() if done}
    summary = {}
    for name, done in runs.items():
        if not done:
            continue
        master = [r['master_bytes'] for r in done]
        summary[name] = {
            'seconds_median': round(medians[name], 2),
            'seconds': [r['seconds'] for r in done],
            'ratio_to_single': _ratio(medians, name, 'single'),
            'ratio_to_limit': _ratio(medians, name, 'limit'),
            'paired_ratio_to_limit': _paired(runs, name, 'limit'),
            'master_bytes_median': int(statistics.median(master)),
            'master_reads_in_images': round(statistics.median(master) / size,
                                            3),
            'peak_rss_mib_max': max(r['peak_rss_mib'] for r in done),
            'cpu_seconds_median': round(statistics.median(
                r['cpu_seconds'] for r in done), 2),
            'glance_cpu_seconds_median': round(statistics.median(
                sum(r['glance_cpu_seconds'].values()) for r in done), 2),
            'total_cpu_seconds_median': round(statistics.median(
                _total_cpu(r) for r in done), 2),
            'load_median': round(statistics.median(
                r['load_before'] for r in done), 2),
            'failures': [r['failures'] for r in done if r['failures']],
            'fallbacks': sorted({k for r in done
                                 for k in r.get('fallbacks', {})}),
        }
    cpu_ratios(summary)
    return summary


def _total_cpu(run: dict[str, Any]) -> float:
    """CPU seconds of our process and of the four glance-api: the work a
    scenario costs, whatever else the machine is doing."""
    return float(run['cpu_seconds'] + sum(run['glance_cpu_seconds'].values()))


def cpu_ratios(summary: dict[str, dict[str, Any]]) -> None:
    """Add each scenario's total CPU relative to ``limit``'s."""
    limit = summary.get('limit', {}).get('total_cpu_seconds_median')
    for row in summary.values():
        row['cpu_ratio_to_limit'] = (round(
            row['total_cpu_seconds_median'] / limit, 3) if limit else None)


def _ratio(medians: dict[str, float], name: str,
           baseline: str) -> float | None:
    if baseline not in medians or not medians[baseline]:
        return None
    return round(medians[name] / medians[baseline], 3)


def _paired(runs: dict[str, list[dict[str, Any]]], name: str,
            baseline: str) -> float | None:
    """The median of the run-by-run ratios: each run of ``name`` against
    the run of ``baseline`` of the same round (less sensitive to the
    machine's load drifting between rounds)."""
    pairs = list(zip(runs.get(name, []), runs.get(baseline, [])))
    if not pairs:
        return None
    return round(statistics.median(a['seconds'] / b['seconds']
                                   for a, b in pairs), 3)


def targets(summary: dict[str, dict[str, Any]], size: int) -> list[str]:
    """One line per target of the issue, met or missed."""
    lines = []
    for name in READ_ONCE:
        row = summary.get(name)
        if row is None:
            continue
        ratio = row['ratio_to_limit']
        lines.append('%-7s %.3f x limit, run by run %.3f (target <= %.2f): '
                     '%s' % (name, ratio or 0,
                             row['paired_ratio_to_limit'] or 0,
                             MAX_RATIO_TO_LIMIT,
                             _met(ratio is not None
                                  and ratio <= MAX_RATIO_TO_LIMIT)))
        lines.append('%-7s peak RSS %.0f MiB (target < %d): %s' % (
            name, row['peak_rss_mib_max'], MAX_PEAK_RSS_MIB,
            _met(row['peak_rss_mib_max'] < MAX_PEAK_RSS_MIB)))
        lines.append('%-7s read %d bytes from the master, %.3f images '
                     '(target: exactly 1): %s' % (
                         name, row['master_bytes_median'],
                         row['master_reads_in_images'],
                         _met(row['master_bytes_median'] == size)))
    return lines


def _met(ok: bool) -> str:
    return 'met' if ok else 'MISSED'


def table(summary: dict[str, dict[str, Any]]) -> str:
    """The terminal table."""
    head = ('%-16s %8s  %-26s %7s %6s %6s %7s %7s %7s %7s %6s %5s'
            % ('scenario', 'median s', 'runs (s)', 'xsingle', 'xlimit',
               'paired', 'master', 'peakRSS', 'our CPU', 'glances',
               'CPU x', 'load'))
    lines = [head, '-' * len(head)]
    for name, row in sorted(summary.items(), key=lambda item: _ORDER.get(
            item[0], len(_ORDER))):
        lines.append('%-16s %8.2f  %-26s %7s %6s %6s %6.2fx %5.0fMB %6.1fs '
                     '%6.1fs %6s %5.1f' % (
                         name, row['seconds_median'],
                         ' '.join('%.1f' % s for s in row['seconds']),
                         _fmt(row['ratio_to_single']),
                         _fmt(row['ratio_to_limit']),
                         _fmt(row['paired_ratio_to_limit']),
                         row['master_reads_in_images'],
                         row['peak_rss_mib_max'], row['cpu_seconds_median'],
                         row['glance_cpu_seconds_median'],
                         _fmt(row['cpu_ratio_to_limit']),
                         row['load_median']))
    return '\n'.join(lines)


def _fmt(ratio: float | None) -> str:
    return '-' if ratio is None else '%.2f' % ratio


def write(path: pathlib.Path, result: dict[str, Any]) -> None:
    """Write the results file (the folder is created if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, sort_keys=True) + '\n')


def machine() -> dict[str, Any]:
    """What the figures depend on."""
    with open('/proc/cpuinfo') as cpuinfo:
        model = next((line.split(':', 1)[1].strip() for line in cpuinfo
                      if line.startswith('model name')), 'unknown')
    return {'cpus': os.cpu_count(), 'cpu_model': model,
            'load_average': os.getloadavg()}
