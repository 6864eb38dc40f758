"""The telephony panel and the desk that runs the live listeners in the TUI."""
