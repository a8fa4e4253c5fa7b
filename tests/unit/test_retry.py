"""Backoff with full jitter: bounds, growth, cap and the retry budget."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from oslo_config import cfg
from oslotest import base

from glance_sync import retry
from glance_sync.conf import executor as executor_conf

attempts = st.integers(min_value=1, max_value=10_000)
durations = st.floats(min_value=0, max_value=1e6, allow_nan=False)
unit = st.floats(min_value=0, max_value=1, exclude_max=True)


class CeilingTest(base.BaseTestCase):

    def test_doubles_from_the_base_up_to_the_cap(self):
        self.assertEqual([2, 4, 8, 16, 30, 30],
                         [retry.ceiling(n, 2, 30) for n in range(1, 7)])

    def test_huge_attempts_stay_finite(self):
        self.assertEqual(300, retry.ceiling(10 ** 9, 2, 300))

    def test_rejects_nonsense(self):
        self.assertRaises(ValueError, retry.ceiling, 0, 2, 30)
        self.assertRaises(ValueError, retry.ceiling, 1, -1, 30)
        self.assertIn("not 0", str(self.assertRaises(
            ValueError, retry.ceiling, 0, 2, 30)))

    @given(attempts, durations, durations)
    def test_never_above_the_cap_or_the_exponential(self, n, base_, cap):
        ceiling = retry.ceiling(n, base_, cap)
        self.assertLessEqual(ceiling, cap)
        self.assertLessEqual(ceiling, base_ * 2.0 ** min(n - 1, 1000))

    @given(attempts, durations, durations)
    def test_grows_monotonically(self, n, base_, cap):
        self.assertLessEqual(retry.ceiling(n, base_, cap),
                             retry.ceiling(n + 1, base_, cap))


class FullJitterTest(base.BaseTestCase):

    @given(attempts, durations, durations, unit)
    def test_within_zero_and_the_ceiling(self, n, base_, cap, r):
        delay = retry.full_jitter(n, base_, cap, rand=lambda: r)
        self.assertGreaterEqual(delay, 0)
        self.assertLessEqual(delay, retry.ceiling(n, base_, cap))

    def test_scales_the_ceiling_by_the_random_draw(self):
        self.assertEqual(0, retry.full_jitter(3, 2, 30, rand=lambda: 0.0))
        self.assertEqual(4, retry.full_jitter(3, 2, 30, rand=lambda: 0.5))

    def test_default_random_source_spreads_delays(self):
        delays = {retry.full_jitter(5, 1, 60) for _ in range(50)}
        self.assertGreater(len(delays), 40)
        self.assertTrue(all(0 <= d < 16 for d in delays))


class RetryPolicyTest(base.BaseTestCase):

    def test_retry_budget(self):
        policy = retry.RetryPolicy(retry_times=2)
        self.assertEqual([True, True, False],
                         [policy.should_retry(n) for n in (1, 2, 3)])
        self.assertFalse(retry.RetryPolicy(retry_times=0).should_retry(1))

    def test_delay_uses_the_run_count(self):
        policy = retry.RetryPolicy(base=1, maximum=100)
        self.assertEqual(2, policy.delay(3, rand=lambda: 0.5))

    def test_from_conf(self):
        conf = cfg.ConfigOpts()
        executor_conf.register_opts(conf)
        conf([])
        conf.set_override('task_retry_times', 3)
        conf.set_override('retry_backoff', 0.5)
        self.assertEqual(retry.RetryPolicy(3, 0.5, 300.0),
                         retry.RetryPolicy.from_conf(conf))


class WithBackoffTest(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.waits = []
        self.calls = 0

    def failing(self, times, exc=LookupError):
        def call():
            self.calls += 1
            if self.calls <= times:
                raise exc('call %d' % self.calls)
            return 'done'
        return call

    def run_it(self, call, retries=3, **kwargs):
        return retry.with_backoff(call, retries=retries, first_wait=0.5,
                                  retry_on=LookupError,
                                  sleep=self.waits.append, **kwargs)

    def test_waits_double_until_it_works(self):
        told = []
        self.assertEqual('done', self.run_it(
            self.failing(2), on_retry=lambda exc, wait: told.append(
                (str(exc), wait))))
        self.assertEqual([0.5, 1.0], self.waits)
        self.assertEqual([('call 1', 0.5), ('call 2', 1.0)], told)

    def test_the_last_failure_propagates(self):
        exc = self.assertRaises(LookupError, self.run_it, self.failing(9))
        self.assertEqual('call 4', str(exc))
        self.assertEqual([0.5, 1.0, 2.0], self.waits)

    def test_other_failures_are_not_retried(self):
        self.assertRaises(ValueError, self.run_it,
                          self.failing(1, exc=ValueError))
        self.assertEqual((1, []), (self.calls, self.waits))

    def test_no_retry(self):
        self.assertRaises(LookupError, self.run_it, self.failing(1),
                          retries=0)
        self.assertEqual((1, []), (self.calls, self.waits))
