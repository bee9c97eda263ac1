"""The JSON state layer: session and project documents under a state directory.

Importing this package is cheap on purpose; jsonpath-ng and filelock load only
when a command needs them.
"""
