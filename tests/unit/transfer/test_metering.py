"""A task's copies: bytes and seconds, on a fake clock."""

from oslotest import base

from glance_sync.transfer import metering


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class CopyMeterTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.clock = Clock()
        self.meter = metering.CopyMeter(self.clock)

    def test_a_copy_lasts_from_its_start_to_its_last_byte(self):
        started = self.clock.now
        for _ in range(4):
            self.clock.now += 0.5
            self.meter.count(1000)
        self.clock.now += 3.0  # the region activating the copy
        self.meter.ended(started)
        self.assertEqual((4000, 2.0, 1), (self.meter.bytes,
                                          self.meter.seconds,
                                          self.meter.copies))

    def test_a_copy_without_bytes_lasts_until_it_ends(self):
        # A zero-copy location: nothing moved, the time still counts.
        started = self.clock.now
        self.clock.now += 1.5
        self.meter.ended(started)
        self.assertEqual((0, 1.5, 1), (self.meter.bytes, self.meter.seconds,
                                       self.meter.copies))

    def test_copies_add_up(self):
        for size, seconds in ((100, 1.0), (300, 2.0)):
            started = self.clock.now
            self.clock.now += seconds
            self.meter.count(size)
            self.meter.ended(started)
        self.assertEqual((400, 3.0, 2), (self.meter.bytes,
                                         self.meter.seconds,
                                         self.meter.copies))

    def test_a_copy_that_did_not_arrive_adds_nothing(self):
        started = self.clock.now
        self.clock.now += 1.0
        self.meter.count(700)
        self.meter.ended(started, arrived=False)
        self.assertEqual((0, 0.0, 0), (self.meter.bytes, self.meter.seconds,
                                       self.meter.copies))
        # Nor do its bytes leak into the next copy.
        started = self.clock.now
        self.clock.now += 2.0
        self.meter.ended(started)
        self.assertEqual((0, 2.0, 1), (self.meter.bytes, self.meter.seconds,
                                       self.meter.copies))
