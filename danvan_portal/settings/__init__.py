"""Settings split: ``base`` (shared), ``dev`` (zero-setup default), ``test``, ``production``."""
