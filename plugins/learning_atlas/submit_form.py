"""What the site's submission form (``/submit/``) needs: the case schema and the vocabularies' labels.

The form validates with the very schema ``atlas check`` uses, shipped to the page
as JSON, so there is never a second hand-kept copy of the rules.
"""

from __future__ import annotations

import json

from .schema import CaseSchema


def form_data(case_schema: CaseSchema) -> str:
    """The JSON the form page loads: the schema (vocabularies filled in) and each vocabulary's terms."""
    vocabularies = {
        name: [{"slug": term.key, "label": term.label, "description": term.description} for term in vocabulary.terms]
        for name, vocabulary in case_schema.vocabularies.items()
    }
    return json.dumps({"schema": case_schema.schema, "vocabularies": vocabularies}, ensure_ascii=False)
