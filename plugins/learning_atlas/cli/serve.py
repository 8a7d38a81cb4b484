"""``atlas serve``: preview the atlas, rebuilding only what a save changes.

The server is the MkDocs adapter's (:mod:`learning_atlas.mkdocs_plugin.serve`): this command
runs it in this interpreter, so that the core imports no site engine.
"""

from __future__ import annotations

import os
import sys

import click

SERVER_MODULE = "learning_atlas.mkdocs_plugin.serve"


@click.command(name="serve", context_settings={"ignore_unknown_options": True})
@click.option("-f", "--config-file", default=None, help="The site's mkdocs.yml.")
@click.option("-a", "--dev-addr", default=None, help="HOST:PORT to serve on (default: mkdocs.yml's dev_addr).")
@click.option("--engine", type=click.Choice(["mkdocs", "properdocs"]), default="mkdocs", show_default=True,
              help="The site engine that builds the atlas.")
@click.option("-o", "--open", "open_browser", is_flag=True, help="Open the site in a browser.")
def serve(config_file: str | None, dev_addr: str | None, engine: str, open_browser: bool) -> None:
    """Build the atlas and serve it; a save rebuilds only what it changes, and the page reloads in place."""
    args = [sys.executable, "-m", SERVER_MODULE, "--engine", engine]
    if config_file:
        args += ["-f", config_file]
    if dev_addr:
        args += ["-a", dev_addr]
    if open_browser:
        args.append("--open")
    os.execv(sys.executable, args)
