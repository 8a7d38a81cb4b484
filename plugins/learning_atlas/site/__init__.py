"""The site's core, free of MkDocs: the atlas as objects (``model``), case Markdown to safe HTML
(``rendering``), feeds and open data (``exports``), the Explore page's paged list and the data its
script filters (``explore``), Pagefind's records of the cases for the readers' search box
(``pagefind_records``), each case's citations and the metadata in its page's head (``citation``,
``case_metadata``), the staging folder a build is swapped in from (``site_folder``), the cases'
lineage and its picture (``lineage``) and the learning collections' pages (``learning_collections``).

It may import ``search`` (related lists), ``contract`` and ``processes``; the MkDocs adapter
(``learning_atlas.mkdocs_plugin``) is the only part that knows the engine and the theme.
"""
