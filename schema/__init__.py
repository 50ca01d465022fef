"""The GraphQL contract: Strawberry types, inputs, enums, permissions, context and the Schema."""
