"""The checks' bounds, which the query cost limit (schema/cost.py) counts on."""

CHECKS_MAX = 50  # checks in one canMany, evaluations in one AuthZEN request
# The grants a decision or a permission shows: enough to say why; one is enough to allow.
VIA_MAX = 5
CHAIN_MAX = 8  # groups in one grant's chain: the nesting limit of groups
