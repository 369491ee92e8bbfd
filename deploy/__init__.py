"""Deployment files: gunicorn settings, systemd units, nginx sample, backup and restore."""
