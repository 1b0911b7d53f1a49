"""CallbackData factories and keyboard builders.

Callback data are a public contract (scripts and tests press raw data): a prefix or field once
shipped is not renamed. What may not: queries, or deciding who may press (that is the handlers').
"""

from typing import Annotated

from pydantic import Field

from core.numbers import INT_MAX, INT_MIN

# The type of every integer field of callback data: ids, versions, indexes and pages the database
# can hold (core.numbers). A forged press with a larger number fails to unpack, so no router's
# filter matches it and the fallback answers "button expired", instead of a database error.
Int = Annotated[int, Field(ge=INT_MIN, le=INT_MAX)]
