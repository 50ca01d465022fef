"""Query, mutation and subscription resolvers: read views through the ports, submit commands."""
