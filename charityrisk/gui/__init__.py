"""The PySide6 desktop app: windows, forms, charts and worker threads (views never compute risk)."""
