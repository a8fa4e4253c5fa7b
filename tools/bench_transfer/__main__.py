"""``python -m tools.bench_transfer``: the transfer strategies side by side.

1. start a local cloud in ``run/bench`` (its own ports and data);
2. write a file of random bytes (1 GiB) and upload it to the master region;
3. ``--runs`` times (3 by default), in an order that rotates from run to
   run, each scenario in a child process: ``single``, ``limit``,
   ``sequential``, ``glance-download``, ``stream``, ``store`` (to RegionTwo,
   RegionThree and, under the other Keystone, RegionFour);
4. write ``tools/bench-results/transfer.json`` and print a table: median
   wall time, ratios to ``single`` and ``limit``, bytes read from the
   master (in images), peak RSS of our process, CPU seconds of our process
   and of the four glance-api, load average when each run started;
5. stop the cloud (unless ``--keep``).

Every copy is deleted after its run, untimed. The machine is shared: the
load average is recorded because other work competes for the CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import time
from typing import Any

from tools.bench_transfer import report, scenarios
from tools.localcloud import cloud as cloud_mod

TOP = pathlib.Path(__file__).resolve().parents[2]
RESULTS = TOP / 'tools' / 'bench-results' / 'transfer.json'
SCENARIOS = ('single', 'limit', 'sequential', 'glance-download', 'stream',
             'store', 'sync')
MiB = 1024 * 1024
MASTER_NAME = 'bench-transfer-master'


def _say(text: str) -> None:
    print('==> %s' % text, flush=True)


def random_file(path: pathlib.Path, size: int) -> pathlib.Path:
    """A file of ``size`` random bytes (kept between runs)."""
    if path.exists() and path.stat().st_size == size:
        return path
    with open(path, 'wb') as out:
        for start in range(0, size, MiB):
            out.write(os.urandom(min(MiB, size - start)))
    return path


def proc_pids(pid: int | None) -> list[int]:
    """A gunicorn master and its workers."""
    if not pid:
        return []
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as children:
            return [pid] + [int(p) for p in children.read().split()]
    except OSError:
        return []


def _proc_sum(pids: list[int], read: Any) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += read(pid)
        except OSError:
            pass  # a worker that just ended
    return total


def _cpu(pid: int) -> float:
    with open('/proc/%d/stat' % pid) as stat:
        fields = stat.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def _rchar(pid: int) -> float:
    with open('/proc/%d/io' % pid) as io:
        return float(next(line.split()[1] for line in io
                          if line.startswith('rchar:')))


def glance_usage(cloud: scenarios.Cloud) -> dict[str, dict[str, float]]:
    """CPU seconds and bytes read (``rchar``) of each glance-api so far."""
    usage = {}
    for name, region in cloud.info.regions.items():
        pids = proc_pids(region.pid)
        usage[name] = {'cpu': _proc_sum(pids, _cpu),
                       'rchar': _proc_sum(pids, _rchar)}
    return usage


def one_run(cloud: scenarios.Cloud, name: str, image_id: str,
            path: pathlib.Path, size: int) -> dict[str, Any]:
    """Run a scenario in a child process and add what we see from here."""
    load = os.getloadavg()[0]
    before = glance_usage(cloud)
    out = subprocess.run(
        [sys.executable, '-m', 'tools.bench_transfer.scenarios',
         cloud.info.dir, name, image_id, str(path)],
        check=True, stdout=subprocess.PIPE, text=True, cwd=TOP).stdout
    after = glance_usage(cloud)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result['load_before'] = round(load, 2)
    result['glance_cpu_seconds'] = {
        r: round(after[r]['cpu'] - before[r]['cpu'], 2) for r in after}
    master = cloud.info.master_region
    result['master_api_rchar'] = int(after[master]['rchar']
                                     - before[master]['rchar'])
    # What we read (API or store) plus what the regions pulled: each
    # pulled copy was verified to be the whole image.
    result['master_bytes'] = (result['source_bytes']
                              + len(result.get('pulled', ())) * size)
    return result


def clean(cloud: scenarios.Cloud) -> None:
    """Delete every benchmark copy in the target regions."""
    for name in scenarios.TARGETS:
        region = cloud.region(name)
        for image in region.list_images():
            if image.name.startswith('bench-transfer'):
                region.delete(image.id)


def rounds(names: tuple[str, ...], runs: int) -> list[list[str]]:
    """The scenarios of each run, starting one further each time."""
    return [list(names[i % len(names):] + names[:i % len(names)])
            for i in range(runs)]


def bench(run_dir: pathlib.Path, size: int, runs: int,
          names: tuple[str, ...]) -> int:
    cloud = scenarios.Cloud(str(run_dir))
    path = random_file(run_dir / ('bench-image-%d.raw' % size), size)
    _say('Uploading %d MiB of random bytes to %s' % (size // MiB,
                                                     scenarios.MASTER))
    master = cloud.client(scenarios.MASTER)
    image_id = scenarios._plain_upload(master, str(path), MASTER_NAME)
    clean(cloud)
    results: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    try:
        for number, order in enumerate(rounds(names, runs), 1):
            for name in order:
                result = one_run(cloud, name, image_id, path, size)
                results[name].append(result)
                clean(cloud)
                print('run %d %-16s %6.1f s  load %.1f%s' % (
                    number, name, result['seconds'], result['load_before'],
                    '  FAILED %s' % result['failures']
                    if result['failures'] else ''), flush=True)
    finally:
        master.images.delete(image_id)
    return finish(results, size, runs)


def finish(results: dict[str, list[dict[str, Any]]], size: int,
           runs: int) -> int:
    """Summarise, write the results file, print the table."""
    summary = report.summarise(results, size)
    report.write(RESULTS, {
        'date': time.strftime('%Y-%m-%dT%H:%M:%S%z'), 'image_bytes': size,
        'runs': runs, 'machine': report.machine(), 'summary': summary,
        'targets': report.targets(summary, size), 'runs_detail': results})
    show(RESULTS)
    failed = any(r['failures'] for done in results.values() for r in done)
    return 1 if failed else 0


def show(path: pathlib.Path) -> None:
    """Print the table and the targets of a results file."""
    result = json.loads(path.read_text())
    summary = report.summarise(result['runs_detail'], result['image_bytes'])
    print('\n%s\n' % report.table(summary))
    for line in report.targets(summary, result['image_bytes']):
        print(line)
    print('\nresults: %s (%d MiB image, %d runs, %s; load average %s at '
          'the end)' % (path, result['image_bytes'] // MiB, result['runs'],
                        result['date'], ' '.join(
                            '%.1f' % x for x in result['machine']
                            ['load_average'])))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dir', type=pathlib.Path, default=TOP / 'run/bench')
    parser.add_argument('--size-mib', type=int, default=1024)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--scenarios', default=','.join(SCENARIOS),
                        help='comma-separated subset, in this order')
    parser.add_argument('--keep', action='store_true',
                        help='leave the cloud running at the end')
    parser.add_argument('--show', type=pathlib.Path, metavar='RESULTS',
                        nargs='?', const=RESULTS,
                        help='only print the table of a results file')
    args = parser.parse_args()
    if args.show:
        show(args.show)
        return 0
    names = tuple(n for n in args.scenarios.split(',') if n)
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown or args.runs < 1 or args.size_mib < 1:
        parser.error('unknown scenario(s) %s' % ', '.join(unknown) if unknown
                     else '--runs and --size-mib must be at least 1')
    _say('Starting the local cloud in %s' % args.dir)
    cloud_mod.up(args.dir, cloud_mod.Options())
    try:
        return bench(args.dir.resolve(), args.size_mib * MiB, args.runs, names)
    finally:
        if not args.keep:
            _say('Stopping the local cloud')
            cloud_mod.down(args.dir)


if __name__ == '__main__':
    sys.exit(main())
