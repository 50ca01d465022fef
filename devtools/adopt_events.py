"""The two files a new stack of a stage needs to adopt the events table its deleted stack left
behind (README, "Runbook: redeploying a stage after its stack was deleted").

`make package STAGE=<stage>` writes the stage's templates to .serverless/; from them this writes
beside them, for `aws cloudformation create-change-set --change-set-type IMPORT`:
- adopt-events-template.json: the stack Serverless creates first (its deployment bucket), plus
  the events table exactly as the full template declares it (an import may change nothing else,
  and the deploy after it then finds the table as it wants it);
- adopt-events-resources.json: which existing table that is, by name.

    .venv/bin/python -m devtools.adopt_events [--dir .serverless]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

TABLE = "EventsTable"
TEMPLATE_FILE = "adopt-events-template.json"
RESOURCES_FILE = "adopt-events-resources.json"


def adoption(create: dict[str, Any], update: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """The import's template and its resources to import, from Serverless's create and update
    templates of one stage."""
    table = update["Resources"][TABLE]
    if table.get("DeletionPolicy") != "Retain":
        raise ValueError(f"{TABLE} has no DeletionPolicy Retain: CloudFormation cannot import it")
    template = copy.deepcopy(create)
    template["Resources"][TABLE] = copy.deepcopy(table)
    to_import = [
        {
            "ResourceType": table["Type"],
            "LogicalResourceId": TABLE,
            "ResourceIdentifier": {"TableName": table["Properties"]["TableName"]},
        }
    ]
    return template, to_import


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.adopt_events", description=__doc__)
    parser.add_argument("--dir", type=Path, default=Path(".serverless"), help="make package's")
    args = parser.parse_args(argv)
    try:
        create, update = (
            json.loads((args.dir / f"cloudformation-template-{s}-stack.json").read_text())
            for s in ("create", "update")
        )
    except FileNotFoundError as error:
        print(f"adopt_events: {error.filename} is missing: run make package", file=sys.stderr)
        return 1
    template, to_import = adoption(create, update)
    (args.dir / TEMPLATE_FILE).write_text(json.dumps(template, indent=2))
    (args.dir / RESOURCES_FILE).write_text(json.dumps(to_import, indent=2))
    name = to_import[0]["ResourceIdentifier"]["TableName"]
    print(f"wrote {args.dir / TEMPLATE_FILE} and {args.dir / RESOURCES_FILE} (table {name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
