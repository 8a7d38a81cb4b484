"""Running work beside a build: lower priority, child processes that die with the build, temporary
folders a later build can sweep, and a parallel map over cases.

The bottom layer: it imports nothing of the atlas, and any part may use it.
"""
