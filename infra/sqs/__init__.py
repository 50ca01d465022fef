"""The SQS FIFO adapter of the Queue port."""
