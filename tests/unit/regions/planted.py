"""A fixture the tests of files that refuse planted links share."""

import os

import fixtures

#: What the victim file holds; it must never change.
SECRET = 'secret'


class PlantedLinks(fixtures.Fixture):
    """A folder to work in (:attr:`dir`), and a file outside it
    (:attr:`victim`) that the links a test plants point at."""

    def _setUp(self):
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.victim = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                   'victim')
        with open(self.victim, 'w') as stream:
            stream.write(SECRET)

    def victim_content(self):
        """What the victim holds now (:data:`SECRET` if untouched)."""
        with open(self.victim) as stream:
            return stream.read()
