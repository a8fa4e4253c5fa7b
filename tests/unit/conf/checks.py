"""Assertions shared by the configuration loaders' tests."""

from glance_sync.conf import errors


def assert_one_line_error(test, folder, parts, func, *args):
    """``func(*args)`` raises a one-line ConfigError that starts with the
    file's path (under ``folder``) and names every one of ``parts``."""
    exc = test.assertRaises(errors.ConfigError, func, *args)
    message = str(exc)
    test.assertNotIn('\n', message)
    test.assertTrue(message.startswith(folder), message)
    for part in parts:
        test.assertIn(part, message)
    return exc
