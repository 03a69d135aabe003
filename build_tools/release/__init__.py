"""Stage 8, releases: publish an immutable, citable version with mike, and verify later that what
readers get is what was released.
"""
