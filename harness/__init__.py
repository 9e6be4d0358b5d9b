"""Helpers shared by the tests and the benchmarks: a Chromium, servers on loopback, the page.

Neither ``tests`` nor ``benchmarks`` imports the other; both import this package from the
repository's root. It is not part of the installed package.
"""
