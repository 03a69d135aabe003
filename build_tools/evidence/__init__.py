"""Stage 3, the reader's model: every check a build makes, then the studies with their citations,
themes with their studies, findings and honest counts, assembled from validated tables and
cached works (data in, data out).
"""
