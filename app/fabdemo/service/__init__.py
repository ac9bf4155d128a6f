"""Service layer of the demo kit: the one code path from the UI, the REST API and storyboards to the ledger.

``LedgerService.perform(org_key, op_id, args)`` is the entry point; the operation catalogue describes
every operation as data. ``LedgerService(network)`` composes the parts (org directory, gateway pool,
contract service with its retry policy, read models, node status, block follower) over the process's
one ``FabricNetwork``; see :mod:`fabdemo.service.ledger`.
"""

from fabdemo.service.catalogue import GROUPS, OPERATIONS, Operation, Param, get_operation, validate_args
from fabdemo.service.errors import ServiceError, from_gateway_error
from fabdemo.service.ledger import LedgerService
from fabdemo.service.retry import RetryPolicy

__all__ = [
    "GROUPS",
    "OPERATIONS",
    "LedgerService",
    "Operation",
    "Param",
    "RetryPolicy",
    "ServiceError",
    "from_gateway_error",
    "get_operation",
    "validate_args",
]
