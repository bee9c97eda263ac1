"""Runtime actions of the shipped programs: one module per program, a function per command and view."""
