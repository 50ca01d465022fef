"""Entry points only: each Lambda function's `handler` and the `usermgmt` CLI's `main`. Each is a
few lines that hand over to its runtime (lambda_runtime/, local_server/, cli/)."""
