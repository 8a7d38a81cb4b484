"""The case-study contract and its checker: what a case file may hold, and ``atlas check``.

Reading bytes safely (``source``), front matter and safe YAML (``front_matter``), the schema and
vocabularies (``schema``, ``vocabularies``, ``fast_validation``, ``validation``), the rules beyond
the schema (``domain_checks``, ``html_scan``, ``reader_text``, ``placeholders``, ``case_assets``),
problems and their reporters, the one loader (``loader``), the typed case (``case``), the checks
across cases (``checker``, ``near_duplicates``, ``renames``, ``builds_on``), and the learning
collections (``learning_collections``). It imports only ``processes``: the
site, search, editors' tools and both front ends build on it, never the other way round.
"""
