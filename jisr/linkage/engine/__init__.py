"""Record linkage itself, on files or tables and without the database.

`names` (the tables of Iraqi names, nicknames and titles), `prepare` (a record brought to
comparable forms), `splink_model` (the Splink model on DuckDB or Spark: trained, saved, used by
`jisr link` and `jisr dedupe`), `evidence` (a pair's comparisons in words and weights) and
`clusters` (records grouped into people). The Django app around it (`models`, `services`,
`runs`, `golden`, `selectors`, `views`, `api`) keeps registers, runs and decisions in the
database and decides who sees what.
"""
