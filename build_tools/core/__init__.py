"""Foundations every stage shares: the project's layout, problems and errors, the build date, git,
and the rules that hold for all text: which characters and URLs are allowed, and the one way
record text enters Markdown (inert). Imports nothing else from build_tools.
"""
