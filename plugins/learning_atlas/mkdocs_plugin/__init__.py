"""The MkDocs adapter: the ``atlas`` plugin (``plugin``), its typed options (``config``), the
templates and theme overrides (``templates/``) and the browser assets (``assets/``).

The only part of the package that imports MkDocs or knows Material; it may import every other
part but the command line, and hands the theme only escaped values.
"""
