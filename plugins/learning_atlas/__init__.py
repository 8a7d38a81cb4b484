"""Shared Learning Atlas: check, index and publish improvement case studies.

The core modules (loading, validation, models, rendering, exports) import
nothing from MkDocs; :mod:`learning_atlas.mkdocs_plugin` is a thin adapter
over them.
"""

__version__ = "0.1.0"
