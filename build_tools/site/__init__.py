"""Stage 7, the site engine: MkDocs (through our thin plugin) builds the generated pages into a
staging folder that is swapped in; guards on output folders, the offline site, live preview, and
the plain documentation tree for other Material-compatible engines.
"""
