"""The AWS backend: DynamoDB tables and SQS FIFO queues behind the pipeline's ports.

Importing this package is cheap; botocore is imported when the first client is made. Where the
resources are is infra/settings.py's AwsSettings."""

from infra.aws.backend import open_backend

__all__ = ["open_backend"]
