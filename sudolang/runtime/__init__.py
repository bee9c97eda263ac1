"""The runtime: what generated handlers call to run a program's commands against state."""
