"""The stages of validate → store → mediate → execute, written against the ports in ports.py."""
