"""Acceptance 4: with RabbitMQ stopped, uploads to the master do not wait
for it, and once it is back the reconcile brings every region in line.

This test stops the machine's RabbitMQ application for a few seconds: it
holds the broker lock exclusively (no other test listens meanwhile) and
always starts RabbitMQ again, whatever happens.
"""

import shutil
import subprocess
import time

from tests.functional.daemon import base

REGIONS = ('RegionTwo', 'other:RegionFour')
UPLOADS = 3


def rabbitmqctl(*args, timeout=120):
    subprocess.run(['rabbitmqctl', '-q', *args], check=True, timeout=timeout,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class BrokerOutageTest(base.DaemonTestCase):

    stops_broker = True

    def setUp(self):
        if shutil.which('rabbitmqctl') is None:
            self.skipTest('rabbitmqctl is not installed')
        super().setUp()

    def timed_upload(self):
        started = time.monotonic()
        image = self.upload(base.MiB)
        return image, time.monotonic() - started

    def stop_broker(self):
        # Registered before stopping: even an error half-way through the
        # stop leaves RabbitMQ started at cleanup.
        self.addCleanup(self.start_broker)
        rabbitmqctl('stop_app')

    def start_broker(self):
        rabbitmqctl('start_app')
        rabbitmqctl('await_startup')

    def test_uploads_do_not_wait_and_reconcile_repairs(self):
        self.start_daemon(
            sync=self.sync_sections(master={'ignore_regions': 'RegionThree'}),
            reconcile_interval='5')
        running = [self.timed_upload() for _ in range(UPLOADS)]
        self.stop_broker()
        try:
            stopped = [self.timed_upload() for _ in range(UPLOADS)]
        finally:
            self.start_broker()
        up = base.median_seconds(d for _, d in running)
        down = base.median_seconds(d for _, d in stopped)
        self.addDetail('upload-seconds', base.content.text_content(
            'broker running: %.2f, stopped: %.2f (medians of %d)'
            % (up, down, UPLOADS)))
        self.assertLessEqual(down, up + 1.0)
        for image, _ in running + stopped:
            self.wait_synced(image, REGIONS, timeout=60)
        tasks = self.wait_tasks_settled([i.id for i, _ in stopped])
        self.addDetail('reasons', base.content.text_content(repr(sorted(
            {t.reason for t in tasks}))))
        self.assertEqual({'done'}, {t.state.value for t in tasks})
