"""GraphQL runs without graphene-django's debug middleware, also with DEBUG on (the demo):
that middleware wraps the database cursor once a request has run and keeps every SQL query
of the process in memory (found when the suite's memory and time grew with each request)."""

import pytest
from django.db import connection
from graphene_django.settings import graphene_settings

pytestmark = pytest.mark.django_db


def test_no_debug_middleware_and_the_cursor_stays_unwrapped(graphql):
    assert list(graphene_settings.MIDDLEWARE) == []
    body = graphql().execute("{ me { email } }")
    assert body == {"data": {"me": None}}
    with connection.cursor() as cursor:
        assert "graphene_django" not in type(cursor).__module__
