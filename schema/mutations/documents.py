"""Trusted documents, for staff: publish a partner app's manifest."""

from __future__ import annotations

from typing import Annotated

import strawberry

from engine.documents import check_document
from resolvers import writes
from resolvers.documents import publish_manifest
from resolvers.errors import UserInputError
from schema.context import Info
from schema.mutations.records import INPUT
from schema.payloads import ERRORS, UserError, user_errors
from schema.permissions import StaffOnly

__all__ = ["DocumentMutations"]


@strawberry.input(description="A partner app's trusted documents, to publish.")
class DocumentsPublishInput:
    client: str = strawberry.field(
        description="The app's client name, as it sends it in `apollographql-client-name`."
    )
    manifest: str = strawberry.field(
        description="The manifest's JSON text: Apollo's persisted query manifest, or Relay's "
        'persisted queries (`{"<id>": "<document>"}`).'
    )


@strawberry.type(description="The outcome of publishing a partner app's trusted documents.")
class DocumentsPublishPayload:
    published: list[str] = strawberry.field(
        description="The ids (`sha256:<hex>`) of the documents new to the client."
    )
    unchanged: list[str] = strawberry.field(
        description="The ids of the documents the client had published already."
    )
    user_errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type
class DocumentMutations:
    """The trusted documents' mutations, part of `Mutation`."""

    @strawberry.mutation(
        description="Publish a partner app's operations, which it then runs by `documentId` "
        "(or its APQ hash): all of the manifest, or nothing when any document is refused.",
        permission_classes=[StaffOnly],
    )
    async def documents_publish(
        self,
        info: Info,
        input: Annotated[DocumentsPublishInput, INPUT],
    ) -> DocumentsPublishPayload:
        graphql_schema = info.schema._schema
        try:
            published = await publish_manifest(
                info.context.database,
                input.client,
                input.manifest,
                lambda body: check_document(graphql_schema, body),
            )
        except UserInputError as error:
            failure = writes.UserError(("manifest",), error.message, error.code)
            return DocumentsPublishPayload(
                published=[], unchanged=[], user_errors=user_errors([failure])
            )
        return DocumentsPublishPayload(
            published=published.published, unchanged=published.unchanged, user_errors=[]
        )
