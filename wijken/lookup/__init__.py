"""The public "mijn buurt" lookup: address search and "what is the neighbourhood at this point".

A hot path (DESIGN §10): every answer is one SQL statement that builds its JSON inside PostgreSQL, no model
instances are built, and whole answers are cached in Redis. The cache is invalidated by one version number that
any save of a wijk, assignment, wijkinspecteur, contactpunt, spreekuur, exception or zone bumps (see the signal
receivers in caching.py); the answers also carry today's date in their key, because "on duty today" and "the next
seven days of spreekuren" change at midnight.

This is the one package outside management commands where `scopes_disabled()` is allowed (DESIGN §4): a
citizen has no zone, and the zone is what the lookup finds out.
"""

from .caching import (  # noqa: F401
    CACHE_TIMEOUT,
    LOCAL_SIZE,
    LOCAL_VERSION_TTL,
    VERSION_KEY,
    cache_version,
    count_and_fetch,
    invalidate,
    redis_client,
    store_computed,
)
from .neighbourhood import (  # noqa: F401
    _ADDRESS_SQL,
    _ANSWER_SQL,
    _POINT_SQL,
    COVERING_WIJK_SQL,
    NATIONAL_NUMBERS,
    address_key,
    contactable_wijkinspecteur,
    country_guess,
    current_wijk_of,
    neighbourhood_at,
    neighbourhood_for_address,
    neighbourhood_json_at,
    neighbourhood_json_for_address,
    point_key,
    today_iso,
    wijk_codes_for_addresses,
    zones_overview,
)
from .search import (  # noqa: F401
    _EXACT_SQL,
    _POSTCODE_SQL,
    _SEARCH_SQL,
    DEFAULT_LIMIT,
    MAX_QUERY_LENGTH,
    SEARCH_CACHE_TIMEOUT,
    ParsedQuery,
    exact_params,
    normalise,
    parse_query,
    search_addresses,
    search_params,
    unambiguous_match,
)
