"""Stage 4, formats: the same evidence written for other programs and people - CSL-JSON, BibTeX,
RIS, APA, the data package, JSON Schema and the version's citation files.
"""
