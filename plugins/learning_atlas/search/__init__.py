"""The editors' search: a Whoosh index of the cases in ``.atlas/index``, ``atlas search``'s queries,
the key terms of each case and the related-case lists made from them.

Its modules, each importing only those before it: ``errors``; ``analysis`` (the analyser and
stems); ``documents`` (the field layout, a case as a document, content hashes); ``store`` (the cache
folder: state file, lock, opening); ``updating`` (:func:`~learning_atlas.search.updating.update_index`);
``scoring`` (fast phrases, BM25F); ``query`` (the request, the query language, dates and facets);
``searcher`` (searching, snippets, did-you-mean, ``search_cases``); ``related`` (the related lists)
and ``key_terms`` (key terms, and the build's background process that updates the index and makes
the related lists).

Whoosh is imported only by the modules that need it, never by ``related`` nor by this file: the site
imports ``related`` at start-up, and a command that does not search should not pay for Whoosh.

Not the readers' search box, which is Pagefind (``learning_atlas.site.pagefind_records``). It may
import ``contract`` and ``processes``.
"""
