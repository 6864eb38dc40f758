"""The Typer CLI: one sub-app per noun."""
