"""Scripts for the project itself (not installed): the README's demo collection and checks."""
