"""Command line of the local cloud; see ``python -m tools.localcloud -h``."""

import sys

from tools.localcloud import cli

sys.exit(cli.main())
