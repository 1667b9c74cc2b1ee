"""The PySide6 desktop app: windows, forms, charts and worker threads (views never compute risk)."""
from .none_guard import protect_singletons

# Before any widget exists: see none_guard for the PySide6 6.12.0 bug this keeps from aborting.
protect_singletons()
