"""Open Referral HSDS 3.0 exchange: the published catalogue as HSDS documents, and another
directory's HSDS documents taken in.

HSDS holds one language per field; Jisr keeps three. The text fields carry the Arabic (falling
back to English, then Kurdish), and every language's text travels as an attribute of the
"jisr-translations" taxonomy, so that Jisr to Jisr nothing is lost. Categories, eligibility and
delivery travel the same way as attributes of Jisr's own taxonomies.

- `taxonomies.py`: Jisr's taxonomies, the ids derived from a record's, terms and attributes.
- `export.py`: the documents of the published catalogue, HSDS's lists and pages, and the
  folder `jisr export-hsds` writes.
- `tabular.py`: the documents as HSDS's tabular package (one CSV per table, datapackage.json).
- `importing.py`: another directory's documents read and taken in through the catalogue's
  services (`jisr import-hsds`, all or nothing: decision 0024; what an import may touch is
  decision 0015).
- `schema.py`: checking a document against HSDS 3.0's compiled JSON Schemas, shipped in
  `schemas/` (Open Referral's, unchanged; see its README).
- `views.py`: the public read API at `/api/hsds/`.
"""
