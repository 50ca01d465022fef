"""The `usermgmt` command: serve, token, replay, export-schema, bench (handlers/cli.py runs it)."""
