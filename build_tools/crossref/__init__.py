"""Stage 2, bibliographic metadata: the polite, bounded Crossref client, the committed cache of
works, `fetch` and `new` (the only commands that use the network), and the mapping from a cached
work (else the record) to a study's citation.
"""
