"""The JSON state layer: session and project documents under a state directory.

Importing this package is cheap on purpose: filelock loads only where fcntl is
missing, and the JSONPath evaluator only when a path needs more than a walk.
"""
