"""Stage 6, versions: what a build knows about releases - released versions as data, the changelog
between snapshots, the pages that depend on the version, and each release's manifest of hashes.
"""
