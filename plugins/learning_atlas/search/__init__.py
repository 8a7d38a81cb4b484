"""The editors' search: a Whoosh index of the cases in ``.atlas/index``, ``atlas search``'s queries,
the key terms of each case and the related-case lists made from them (``related``).

Not the readers' search box, which is Pagefind (``learning_atlas.site.pagefind_records``). It may
import ``contract`` and ``processes``.
"""
