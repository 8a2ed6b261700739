"""The public "mijn buurt" lookup: address search and "what is the neighbourhood at this point".

A hot path (DESIGN §10). Each worker keeps a read model in memory (readmodel.py): the boundaries of every
current wijk and zone, and per zone its officers, contactpunten and spreekuren, so that an answer by point runs
no SQL at all; and an address index (addressindex.py), so that a search runs none either. Addresses by id, and
the candidates of the few queries the index leaves to PostgreSQL, are cached in Redis. Version counters in Redis
(caching.py) say what is stale: a save of a wijk, assignment, wijkinspecteur, contactpunt, spreekuur, exception
or zone makes only its own zone reload (and everyone's boundaries, for a wijk or a zone), an address import or
a saved address the address index; every process sees a change within a second.

This is the one package outside management commands where `scopes_disabled()` is allowed (DESIGN §4): a
citizen has no zone, and the zone is what the lookup finds out.
"""

from .addressindex import address_index  # noqa: F401
from .caching import (  # noqa: F401
    ADDRESS_FIELDS,
    CACHE_TIMEOUT,
    LOCAL_SIZE,
    LOCAL_VERSION_TTL,
    VERSIONS_KEY,
    count_and_fetch,
    invalidate,
    invalidate_addresses,
    redis_client,
    versions,
)
from .neighbourhood import (  # noqa: F401
    COVERING_WIJK_SQL,
    NATIONAL_NUMBERS,
    address_key,
    address_record,
    answer_json,
    contactable_wijkinspecteur,
    country_guess,
    current_wijk_of,
    neighbourhood_at,
    neighbourhood_for_address,
    neighbourhood_for_candidate,
    neighbourhood_json_at,
    neighbourhood_json_for_address,
    neighbourhood_json_for_candidate,
    neighbourhood_json_for_match,
    wijk_codes_for_addresses,
    zones_overview,
)
from .readmodel import boundary_index, distance_m, today_iso, zone_bundle  # noqa: F401
from .search import (  # noqa: F401
    _EXACT_SQL,
    _POSTCODE_SQL,
    _SEARCH_SQL,
    DEFAULT_LIMIT,
    MAX_QUERY_LENGTH,
    SEARCH_CACHE_TIMEOUT,
    Match,
    ParsedQuery,
    exact_params,
    in_memory,
    match_of,
    normalise,
    parse_query,
    postcode_params,
    search_addresses,
    search_candidates,
    search_candidates_json,
    search_key,
    search_params,
    unambiguous_match,
)
