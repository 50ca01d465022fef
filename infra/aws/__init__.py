"""The AWS backend: DynamoDB tables and SQS FIFO queues behind the pipeline's ports.

Importing this package is cheap; botocore is imported when the first client is made."""

from infra.aws.backend import open_backend
from infra.aws.settings import AwsSettings, SettingsError

__all__ = ["AwsSettings", "SettingsError", "open_backend"]
