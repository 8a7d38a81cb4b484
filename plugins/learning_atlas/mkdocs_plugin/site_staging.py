"""The site folder of a build: built beside ``site_dir`` and put in its place only when the build succeeds.

A build that fails, or a --strict build with a warning, leaves the last good site as it was
(:class:`~learning_atlas.site.site_folder.StagedSite` does the moving).
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import CountHandler

from learning_atlas.site.site_folder import StagedSite

log = logging.getLogger("mkdocs.plugins.atlas")


def strict_warnings(config) -> int:
    """How many warnings the engine has counted so far in a --strict build (it aborts after on_post_build)."""
    if not config.strict:
        return 0
    # The engine counts on its own top-level logger: "mkdocs", or "properdocs" under ProperDocs,
    # which serves every mkdocs.* import (CountHandler's too) from its own modules.
    engine = CountHandler.__module__.partition(".")[0]
    for handler in logging.getLogger(engine).handlers:
        if isinstance(handler, CountHandler):
            return sum(count for _, count in handler.get_counts())
    return 0


SPARE_SITE = "old-site"
"""The folder in ``cache_dir`` where a full build keeps the site it replaced, for the next to write over."""


class SiteStagingHooks:
    """Mixed into ``AtlasPlugin``: uses its ``is_serve``, ``is_dirty``, ``config`` and ``_path``."""

    is_serve: bool
    is_dirty: bool
    staged: StagedSite | None = None
    site_dir = ""

    def _stage_site(self, config) -> None:
        """Build into a staging folder beside site_dir (not for serve, nor --dirty, which reuses site_dir)."""
        if self.is_serve or self.is_dirty:
            return
        self.site_dir = config.site_dir
        try:
            spare = self._path(self.config.cache_dir) / SPARE_SITE if self.config.reuse_old_site else None  # type: ignore[attr-defined]
            self.staged = StagedSite(Path(config.site_dir), spare)
        except OSError as exc:
            raise PluginError(f"atlas: cannot make a staging folder beside {config.site_dir}: {exc}") from None
        for path in self.staged.removed:
            log.info(f"atlas: removed {path}, left by a build that was stopped")
        config.site_dir = str(self.staged.staging)

    def _carry_over(self, files: list[File], *, also: list[str]) -> None:
        """Write over the files of the site the last build replaced: the build writes ``files`` and the site paths ``also``
        (the files written where pages are drawn)."""
        if self.staged is not None:
            try:
                carried = self.staged.carry_over([file.dest_uri for file in files] + also)
            except OSError as exc:
                raise PluginError(f"atlas: the staging folder {self.staged.staging} could not be prepared: {exc}") from None
            log.debug(f"atlas: {carried} files of the last site are written over")

    def _publish_site(self, config) -> None:
        """Put the staged site in place, unless --strict has counted a warning (MkDocs then aborts)."""
        staged, self.staged = self.staged, None
        if staged is None:
            return
        config.site_dir = self.site_dir
        if strict_warnings(config):
            staged.discard()
            return
        try:
            staged.publish()
        except OSError as exc:
            staged.discard()
            raise PluginError(f"atlas: the new site could not be put in place of {self.site_dir}: {exc}") from None

    def _discard_staging(self) -> None:
        staged, self.staged = self.staged, None
        if staged is not None:
            staged.discard()
