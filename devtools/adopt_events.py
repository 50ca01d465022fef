"""The two files a new stack of a stage needs to adopt what its deleted stack left behind: the
events table, and the keys table and KMS key (with its alias) without which the events' personal
fields are unreadable (README, "Runbook: redeploying a stage after its stack was deleted").

`make package STAGE=<stage>` writes the stage's templates to .serverless/; from them this writes
beside them, for `aws cloudformation create-change-set --change-set-type IMPORT`:
- adopt-events-template.json: the stack Serverless creates first (its deployment bucket), plus
  the retained resources exactly as the full template declares them (an import may change
  nothing else, and the deploy after it then finds them as it wants them);
- adopt-events-resources.json: which existing resources those are: tables and alias by name,
  the KMS key by its id (`aws kms describe-key --key-id alias/usermgmt-<stage>-data-keys`).

    .venv/bin/python -m devtools.adopt_events --kms-key-id KEY_ID [--dir .serverless]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

TABLE = "EventsTable"
# The retained resources, in import order, with the property that identifies each.
RETAINED = {
    TABLE: "TableName",
    "KeysTable": "TableName",
    "DataKeysKmsKey": "KeyId",
    "DataKeysKmsAlias": "AliasName",
}
TEMPLATE_FILE = "adopt-events-template.json"
RESOURCES_FILE = "adopt-events-resources.json"


def adoption(
    create: dict[str, Any], update: dict[str, Any], kms_key_id: str = ""
) -> tuple[dict[str, Any], list[Any]]:
    """The import's template and its resources to import, from Serverless's create and update
    templates of one stage (and the id of the retained KMS key, which no template names)."""
    template = copy.deepcopy(create)
    to_import = []
    for logical_id, identifier in RETAINED.items():
        resource = update["Resources"].get(logical_id)
        if resource is None:
            continue
        if resource.get("DeletionPolicy") != "Retain":
            raise ValueError(
                f"{logical_id} has no DeletionPolicy Retain: CloudFormation cannot import it"
            )
        template["Resources"][logical_id] = copy.deepcopy(resource)
        value = kms_key_id if identifier == "KeyId" else resource["Properties"][identifier]
        if not value:
            raise ValueError(f"{logical_id}: give its id (--kms-key-id)")
        to_import.append(
            {
                "ResourceType": resource["Type"],
                "LogicalResourceId": logical_id,
                "ResourceIdentifier": {identifier: value},
            }
        )
    return template, to_import


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.adopt_events", description=__doc__)
    parser.add_argument("--dir", type=Path, default=Path(".serverless"), help="make package's")
    parser.add_argument("--kms-key-id", required=True, help="the retained KMS key's id")
    args = parser.parse_args(argv)
    try:
        create, update = (
            json.loads((args.dir / f"cloudformation-template-{s}-stack.json").read_text())
            for s in ("create", "update")
        )
    except FileNotFoundError as error:
        print(f"adopt_events: {error.filename} is missing: run make package", file=sys.stderr)
        return 1
    try:
        template, to_import = adoption(create, update, args.kms_key_id)
    except ValueError as error:
        print(f"adopt_events: {error}", file=sys.stderr)
        return 1
    (args.dir / TEMPLATE_FILE).write_text(json.dumps(template, indent=2))
    (args.dir / RESOURCES_FILE).write_text(json.dumps(to_import, indent=2))
    names = ", ".join(r["LogicalResourceId"] for r in to_import)
    print(f"wrote {args.dir / TEMPLATE_FILE} and {args.dir / RESOURCES_FILE} ({names})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
