"""The `usermgmt` command's entry point (cli/commands.py)."""

from cli.commands import main

__all__ = ["main"]

if __name__ == "__main__":
    raise SystemExit(main())
