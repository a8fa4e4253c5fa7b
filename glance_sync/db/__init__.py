"""The task journal: SQLAlchemy models, the repository and migrations.

- :mod:`~glance_sync.db.data_models`: the records and states handed out.
- :mod:`~glance_sync.db.repositories`: :class:`Journal`, the only API.
- :mod:`~glance_sync.db.models`: the ORM models (private to this package).
- :mod:`~glance_sync.db.transitions`: the column changes of each transition.
- :mod:`~glance_sync.db.migration`: alembic revisions and ``upgrade()``.

SQLite by default, MySQL (``mysql+pymysql://``) and PostgreSQL
(``postgresql+psycopg2://``) by URL, through oslo.db's ``[database]``
options (:mod:`glance_sync.conf.database`).
"""
