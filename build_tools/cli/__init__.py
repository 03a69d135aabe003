"""The `livingreview` command: a thin layer that parses options, calls the library above and prints
each command's own result or failure line.
"""
