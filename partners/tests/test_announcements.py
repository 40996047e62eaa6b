"""Announcements: audience (all, tier AND region, named dealers), inbox and unread count,
read and acknowledge, e-mail once, staff statistics; and the GraphQL access rules."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from partners import announcements
from partners.models import Announcement, AnnouncementReceipt
from tests.factories import CompanyFactory, RegionFactory, TierFactory, UserFactory

pytestmark = pytest.mark.django_db

INBOX = """{ inbox { unreadCount announcements { totalCount edges { node { id title kind requiresAcknowledgement readAt acknowledgedAt } } } } }"""
ONE = "query($id: ID!) { announcement(id: $id) { id title readAt } }"
READ = "mutation($id: ID!) { announcementMarkRead(id: $id) { announcement { id readAt } errors { code } } }"
ACK = "mutation($id: ID!) { announcementAcknowledge(id: $id) { announcement { id acknowledgedAt } errors { code } } }"


@pytest.fixture
def world(db):
    gold, silver = TierFactory(code="gold", name="Gold"), TierFactory(code="silver", name="Silver")
    uk, de = RegionFactory(code="uk", name="United Kingdom"), RegionFactory(code="de", name="Germany")
    users = {
        "gold_uk": UserFactory(email="a@gold-uk.example", company=CompanyFactory(tier=gold, region=uk)),
        "gold_de": UserFactory(email="b@gold-de.example", company=CompanyFactory(tier=gold, region=de)),
        "silver_uk": UserFactory(email="c@silver-uk.example", company=CompanyFactory(tier=silver, region=uk)),
        "named": UserFactory(email="d@named.example", company=CompanyFactory(tier=silver, region=de)),
    }
    return {"gold": gold, "uk": uk, **users}


def _published(**kwargs):
    relations = {k: kwargs.pop(k) for k in ("tiers", "regions", "companies") if k in kwargs}
    announcement = Announcement.objects.create(title=kwargs.pop("title", "Note"), body="Body", **kwargs)
    for name, values in relations.items():
        getattr(announcement, name).set(values)
    announcements.publish(announcement.pk)
    return announcement


def _sees(user):
    return set(announcements.visible_to(user.membership.company).values_list("title", flat=True))


def test_segments(world):
    _published(title="all")
    _published(title="gold", to_all_dealers=False, tiers=[world["gold"]])
    _published(title="gold in uk", to_all_dealers=False, tiers=[world["gold"]], regions=[world["uk"]])
    _published(title="uk or named", to_all_dealers=False, regions=[world["uk"]], companies=[world["named"].membership.company])
    assert _sees(world["gold_uk"]) == {"all", "gold", "gold in uk", "uk or named"}
    assert _sees(world["gold_de"]) == {"all", "gold"}
    assert _sees(world["silver_uk"]) == {"all", "uk or named"}
    assert _sees(world["named"]) == {"all", "uk or named"}


def test_drafts_and_empty_segments_reach_nobody(world):
    Announcement.objects.create(title="draft", body="x")
    assert _sees(world["gold_uk"]) == set()
    empty = Announcement.objects.create(title="empty", body="x", to_all_dealers=False)
    with pytest.raises(Exception) as excinfo:
        announcements.publish(empty.pk)
    assert excinfo.value.details[0].code == "EMPTY_AUDIENCE"
    one = _published(title="once")
    with pytest.raises(Exception) as excinfo:
        announcements.publish(one.pk)
    assert excinfo.value.details[0].code == "ALREADY_PUBLISHED"


def test_publishing_emails_the_audience_once(world, django_capture_on_commit_callbacks):
    announcement = Announcement.objects.create(title="Price change 1 March", body="Up 3%.", kind="price_change", to_all_dealers=False)
    announcement.tiers.set([world["gold"]])
    with django_capture_on_commit_callbacks(execute=True):
        announcements.publish(announcement.pk)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@gold-uk.example", "b@gold-de.example"]
    assert mail.outbox[0].subject == "[Price change] Price change 1 March"
    assert announcements.send_announcement_email(announcement.pk) == 0  # a retried task sends nothing
    assert len(mail.outbox) == 2


def test_inbox_unread_read_and_acknowledge_over_graphql(world, graphql):
    notice = _published(title="New returns policy", requires_acknowledgement=True)
    _published(title="Spring promotion", kind="promotion")
    client = graphql(world["gold_uk"])
    inbox = client.execute(INBOX)["data"]["inbox"]
    assert inbox["unreadCount"] == 2
    assert [e["node"]["title"] for e in inbox["announcements"]["edges"]] == ["Spring promotion", "New returns policy"]
    read = client.execute(READ, {"id": str(notice.pk)})["data"]["announcementMarkRead"]
    assert read["errors"] == [] and read["announcement"]["readAt"]
    assert client.execute(INBOX)["data"]["inbox"]["unreadCount"] == 1
    acked = client.execute(ACK, {"id": str(notice.pk)})["data"]["announcementAcknowledge"]
    assert acked["errors"] == [] and acked["announcement"]["acknowledgedAt"]
    first = AnnouncementReceipt.objects.get().acknowledged_at
    client.execute(ACK, {"id": str(notice.pk)})
    assert AnnouncementReceipt.objects.get().acknowledged_at == first  # the first time stays
    promo = Announcement.objects.get(title="Spring promotion")
    assert [e["code"] for e in client.execute(ACK, {"id": str(promo.pk)})["data"]["announcementAcknowledge"]["errors"]] == [
        "NOT_REQUIRED"]
    assert announcements.statistics(notice) == {"audience": 4, "read": 1, "acknowledged": 1}


def test_a_future_publication_is_not_shown_yet(world):
    announcement = _published(title="later")
    Announcement.objects.filter(pk=announcement.pk).update(published_at=timezone.now() + timedelta(days=1))
    assert _sees(world["gold_uk"]) == set()


# --- access -----------------------------------------------------------------------------


def test_a_segment_announcement_is_invisible_outside_it(world, graphql):
    secret = _published(title="Gold only", to_all_dealers=False, tiers=[world["gold"]], requires_acknowledgement=True)
    outsider = graphql(world["silver_uk"])
    assert outsider.execute(INBOX)["data"]["inbox"]["announcements"]["totalCount"] == 0
    assert outsider.execute(INBOX)["data"]["inbox"]["unreadCount"] == 0
    assert outsider.execute(ONE, {"id": str(secret.pk)})["data"]["announcement"] is None
    for query, field in ((READ, "announcementMarkRead"), (ACK, "announcementAcknowledge")):
        data = outsider.execute(query, {"id": str(secret.pk)})["data"][field]
        assert [e["code"] for e in data["errors"]] == ["NOT_FOUND"] and data["announcement"] is None
    assert not AnnouncementReceipt.objects.exists()


def test_receipts_are_per_user_and_never_shown_to_another_dealer(world, graphql):
    notice = _published(title="For all")
    graphql(world["gold_uk"]).execute(READ, {"id": str(notice.pk)})
    other = graphql(world["gold_de"]).execute(INBOX)["data"]["inbox"]
    assert other["unreadCount"] == 1
    assert other["announcements"]["edges"][0]["node"]["readAt"] is None


def test_anonymous_and_companyless(world, graphql):
    notice = _published(title="For all")
    loner = UserFactory(email="nobody@example.com")
    for user, code in ((None, "NOT_AUTHENTICATED"), (loner, "NO_COMPANY")):
        client = graphql(user)
        assert client.execute(INBOX)["errors"][0]["extensions"]["code"] == code
        assert client.execute(ONE, {"id": str(notice.pk)})["errors"][0]["extensions"]["code"] == code
        for query, field in ((READ, "announcementMarkRead"), (ACK, "announcementAcknowledge")):
            assert [e["code"] for e in client.execute(query, {"id": str(notice.pk)})["data"][field]["errors"]] == [code]
    assert not AnnouncementReceipt.objects.exists()
