"""The transfer strategies, one ``impl_<name>.py`` each.

They are private: load them by name with
:func:`glance_sync.transfer.loader.get_strategy` (entry points of the
``glance_sync.transfer.strategies`` namespace in ``setup.cfg``).
"""
