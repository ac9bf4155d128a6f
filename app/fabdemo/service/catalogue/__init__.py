"""The operation catalogue: one entry per contract operation, as data (``operations.yaml``).

The forms of the web UI, the OpenAPI description of ``POST /api/operations/{id}`` and the storyboards all
read this table; :func:`validate_args` turns user input into contract arguments with the same limits as
the contract (chaincode/contract/validate.go), so bad input is refused with a clear message before the
ledger sees it. Roles are shown to the user as guidance; the contract enforces them (roles are ledger data
and can be granted at run time), and its refusal is the answer the user sees.

- ``model``: Param, Operation and the vocabularies (types, roles, statuses, default factories);
- ``table``: the table, read once from ``operations.yaml`` and checked on load;
- ``validate``: user input to clean values; ``arguments``: clean values to contract arguments;
- ``defaults``: the values a form starts with, computed per request.
"""

from fabdemo.service.catalogue.arguments import format_number, to_contract_arguments
from fabdemo.service.catalogue.defaults import DefaultContext, default_value, defaults
from fabdemo.service.catalogue.model import DEFAULT_FACTORIES, KINDS, PARAM_TYPES, ROLES, STATUSES, Operation, Param
from fabdemo.service.catalogue.table import (
    GROUPS,
    OPERATIONS,
    OPERATIONS_BY_ID,
    CatalogueError,
    get_operation,
    load_catalogue,
    lot_actions,
)
from fabdemo.service.catalogue.validate import (
    CURRENCY_PATTERN,
    DATE_PATTERN,
    ID_PATTERN,
    SHA256_PATTERN,
    check_value,
    validate_args,
)

__all__ = [
    "CURRENCY_PATTERN",
    "DATE_PATTERN",
    "DEFAULT_FACTORIES",
    "GROUPS",
    "ID_PATTERN",
    "KINDS",
    "OPERATIONS",
    "OPERATIONS_BY_ID",
    "PARAM_TYPES",
    "ROLES",
    "SHA256_PATTERN",
    "STATUSES",
    "CatalogueError",
    "DefaultContext",
    "Operation",
    "Param",
    "check_value",
    "default_value",
    "defaults",
    "format_number",
    "get_operation",
    "load_catalogue",
    "lot_actions",
    "to_contract_arguments",
    "validate_args",
]
