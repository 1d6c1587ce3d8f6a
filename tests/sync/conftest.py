"""Fixtures for the sync tests; the helpers live in plugin_users.py."""
import pytest

from .plugin_users import make_plugin_collection, run_sync


@pytest.fixture
def plugin_collection():
    """``plugin_collection(vault_root, col_path)`` → PluginCollection (see make_plugin_collection)."""
    return make_plugin_collection


@pytest.fixture
def sync_cli():
    """``sync_cli(vault, collection, *args)`` → click Result of `notes2anki sync`."""
    return run_sync
