"""The editors' and contributors' tools: ``atlas new`` (``new_case``; ``--collection``,
``new_collection``), ``atlas report``
(``report``) and the data the submission form loads (``submit_form``).

They may import ``site``, ``search``, ``contract`` and ``processes``; the command line and the
MkDocs adapter call them.
"""
