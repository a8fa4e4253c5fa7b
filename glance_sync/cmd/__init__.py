"""The console scripts.

futurist and oslo.service import eventlet whether or not it is used, and
eventlet warns on import that it is deprecated; the commands here only use
it with ``executor = eventlet`` (which says so in its help), so that
warning would be noise at every start, in every journal.
"""

import warnings

warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
