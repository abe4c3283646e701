"""The engagement platform (GPE) client: token, bulk pacing publish, answer validation.

The contract is GPE_CONTRACT.md; options and figures are in docs/http.md.
"""

from connectors.gpe.bodies import ChunkAnswer, build_entity, encode_body, validate_answer
from connectors.gpe.client import EngagementPublisher, PublisherSettings, PublishFailedError
from connectors.gpe.token import TokenCache, TokenError

__all__ = [
    "ChunkAnswer",
    "EngagementPublisher",
    "PublishFailedError",
    "PublisherSettings",
    "TokenCache",
    "TokenError",
    "build_entity",
    "encode_body",
    "validate_answer",
]
