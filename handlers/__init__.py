"""Entry points: the Lambda handlers, the local server and the `usermgmt` CLI. The only place
that wires infra to everything else."""
