"""The MkDocs adapter over the atlas core: the ``atlas`` plugin."""
