"""Comment threads: on a deal and an order, visible to the owning dealer and vendor staff
only; notifications (inbox + e-mail) to the other participants; attachments through
mall/uploads.py, served only to those who may read the thread."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from deals.tests.factories import DealFactory
from expenses.tests.factories import FundFactory, PlanFactory
from mall.errors import DomainError
from partners import messaging
from partners.models import Comment, CommentAttachment, Notification
from tests.factories import CompanyFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db

THREAD = "query($k: ThreadKindEnum!, $key: String!) { thread(kind: $k, key: $key) { kind key comments { author byVendor body attachments { name url } } } }"
POST = "mutation($k: ThreadKindEnum!, $key: String!, $b: String!) { commentPost(kind: $k, key: $key, body: $b) { comment { body } errors { field code } } }"
NOTES = "{ inbox { unreadCount notifications { edges { node { id title link readAt } } } } }"
NOTE_READ = "mutation($id: ID!) { notificationMarkRead(id: $id) { notification { readAt } errors { code } } }"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def parties(db):
    alpha = CompanyFactory(name="Alpha Tools Ltd")
    ann = UserFactory(email="ann@alpha.example", company=alpha)
    al = UserFactory(email="al@alpha.example", company=alpha)
    bob = UserFactory(email="bob@beta.example", company=CompanyFactory(name="Beta Supplies Ltd"))
    cara = UserFactory(email="cara@vendor.example")
    cara.is_staff = True
    cara.save(update_fields=["is_staff"])
    deal = DealFactory(company=alpha, registered_by=ann)
    deal.specialists.add(cara)
    return {"ann": ann, "al": al, "bob": bob, "cara": cara, "deal": deal, "order": OrderFactory(company=alpha, number="DM00000077")}


def _png(name="photo.png"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def test_dealer_and_specialist_talk_and_hear_of_each_other(parties, django_capture_on_commit_callbacks):
    deal, ann, cara = parties["deal"], parties["ann"], parties["cara"]
    thread = messaging.thread_for(deal, participants=[ann, *deal.specialists.all()])
    with django_capture_on_commit_callbacks(execute=True):
        messaging.post_comment(thread=thread, author=ann, body="The tender closes on Friday.")
    note = Notification.objects.get()
    assert (note.user, note.link) == (cara, f"/admin/deals/deal/{deal.pk}/change/")
    assert [m.to for m in mail.outbox] == [["cara@vendor.example"]]
    assert "The tender closes on Friday." in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        messaging.post_comment(thread=thread, author=cara, body="We can match the price.", files=[_png()])
    reply = Notification.objects.get(user=ann)
    assert (reply.link, reply.body) == (f"/deals/{deal.pk}/", "The vendor wrote: We can match the price.")
    attachment = CommentAttachment.objects.get()
    assert (attachment.content_type, attachment.original_name, bool(attachment.thumbnail_path)) == ("image/png", "photo.png", True)


def test_another_dealer_cannot_write_or_see(parties):
    thread = messaging.thread_for(parties["deal"])
    assert not messaging.can_view_thread(parties["bob"], thread)
    with pytest.raises(DomainError) as excinfo:
        messaging.post_comment(thread=thread, author=parties["bob"], body="hello")
    assert excinfo.value.details[0].code == "NOT_FOUND"
    internal = messaging.thread_for(parties["order"], vendor_visible=False)
    assert not messaging.can_view_thread(parties["cara"], internal)
    assert messaging.can_view_thread(parties["al"], internal)


def test_a_renamed_executable_is_refused_and_nothing_is_written(parties):
    thread = messaging.thread_for(parties["deal"])
    fake = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    with pytest.raises(DomainError) as excinfo:
        messaging.post_comment(thread=thread, author=parties["ann"], body="see file", files=[fake])
    assert excinfo.value.details[0].code == "UPLOAD_TYPE_NOT_ALLOWED"
    assert not Comment.objects.exists()


def test_threads_over_graphql(parties, graphql):
    ann = graphql(parties["ann"])
    posted = ann.execute(POST, {"k": "ORDER", "key": "DM00000077", "b": "Please deliver before 9."})["data"]["commentPost"]
    assert posted == {"comment": {"body": "Please deliver before 9."}, "errors": []}
    seen = graphql(parties["al"]).execute(THREAD, {"k": "ORDER", "key": "DM00000077"})["data"]["thread"]
    assert seen == {"kind": "order", "key": "DM00000077", "comments": [
        {"author": "ann@alpha.example", "byVendor": False, "body": "Please deliver before 9.", "attachments": []}]}
    empty = ann.execute(POST, {"k": "DEAL", "key": str(parties["deal"].pk), "b": "  "})["data"]["commentPost"]
    assert empty["errors"] == [{"field": "body", "code": "REQUIRED"}]


def test_attachment_download_only_for_the_thread_readers(parties, client):
    thread = messaging.thread_for(parties["deal"])
    messaging.post_comment(thread=thread, author=parties["cara"], body="", files=[_png()])
    url = f"/attachments/{CommentAttachment.objects.get().pk}/"
    client.force_login(parties["bob"])
    assert client.get(url).status_code == 404
    client.force_login(parties["al"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    client.force_login(parties["cara"])
    assert client.get(url + "?thumbnail=1")["Content-Type"] == "image/jpeg"
    client.logout()
    assert client.get(url).status_code in (302, 404)


# --- access over GraphQL ------------------------------------------------------------------


def test_another_dealer_gets_no_thread_and_cannot_comment(parties, graphql):
    messaging.post_comment(thread=messaging.thread_for(parties["deal"]), author=parties["ann"], body="private")
    bob = graphql(parties["bob"])
    for kind, key in (("DEAL", str(parties["deal"].pk)), ("ORDER", "DM00000077")):
        assert bob.execute(THREAD, {"k": kind, "key": key})["data"]["thread"] is None
        data = bob.execute(POST, {"k": kind, "key": key, "b": "sneaky"})["data"]["commentPost"]
        assert data == {"comment": None, "errors": [{"field": "key", "code": "NOT_FOUND"}]}
    assert list(Comment.objects.values_list("body", flat=True)) == ["private"]


def test_notifications_are_the_users_own(parties, graphql):
    thread = messaging.thread_for(parties["deal"], participants=[parties["ann"]])
    messaging.post_comment(thread=thread, author=parties["cara"], body="hi")
    note = Notification.objects.get(user=parties["ann"])
    assert graphql(parties["ann"]).execute(NOTES)["data"]["inbox"]["unreadCount"] == 1
    stranger = graphql(parties["bob"])
    assert stranger.execute(NOTES)["data"]["inbox"]["notifications"]["edges"] == []
    data = stranger.execute(NOTE_READ, {"id": str(note.pk)})["data"]["notificationMarkRead"]
    assert data == {"notification": None, "errors": [{"code": "NOT_FOUND"}]}
    colleague = graphql(parties["al"]).execute(NOTE_READ, {"id": str(note.pk)})["data"]["notificationMarkRead"]
    assert colleague["errors"] == [{"code": "NOT_FOUND"}]
    mine = graphql(parties["ann"]).execute(NOTE_READ, {"id": str(note.pk)})["data"]["notificationMarkRead"]
    assert mine["errors"] == [] and mine["notification"]["readAt"]


def test_anonymous_gets_nothing(parties, graphql):
    anonymous = graphql()
    assert anonymous.execute(THREAD, {"k": "ORDER", "key": "DM00000077"})["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    data = anonymous.execute(POST, {"k": "ORDER", "key": "DM00000077", "b": "x"})["data"]["commentPost"]
    assert data["errors"] == [{"field": None, "code": "NOT_AUTHENTICATED"}]
    assert anonymous.execute(NOTE_READ, {"id": "1"})["data"]["notificationMarkRead"]["errors"] == [{"code": "NOT_AUTHENTICATED"}]


def test_order_page_thread_reaches_the_channel_managers(parties, client, django_capture_on_commit_callbacks):
    Group.objects.create(name="Channel managers").user_set.add(parties["cara"])
    client.force_login(parties["ann"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/orders/DM00000077/comment/", {"body": "Two cartons arrived damaged."})
    assert response.status_code == 302
    note = Notification.objects.get(user=parties["cara"])
    assert note.link.startswith("/admin/storefront/order/") or note.link == ""
    assert [m.to for m in mail.outbox] == [["cara@vendor.example"]]
    page = client.get("/orders/DM00000077/").content.decode()
    assert "Two cartons arrived damaged." in page
    client.force_login(parties["bob"])
    assert client.post("/orders/DM00000077/comment/", {"body": "x"}).status_code == 404
    assert Comment.objects.count() == 1


def test_fund_claim_threads_follow_the_same_rules(parties, graphql, client):
    plan = PlanFactory(fund=FundFactory(company=parties["ann"].membership.company))
    client.force_login(parties["al"])
    response = client.post(f"/threads/fund_claim/{plan.pk}/comment/", {"body": "Photos of the booth follow."})
    assert response.status_code == 302 and response["Location"] == f"/funds/plans/{plan.pk}/"
    seen = graphql(parties["ann"]).execute(THREAD, {"k": "FUND_CLAIM", "key": str(plan.pk)})["data"]["thread"]
    assert [c["body"] for c in seen["comments"]] == ["Photos of the booth follow."]
    assert graphql(parties["bob"]).execute(THREAD, {"k": "FUND_CLAIM", "key": str(plan.pk)})["data"]["thread"] is None
    client.force_login(parties["bob"])
    assert client.post(f"/threads/fund_claim/{plan.pk}/comment/", {"body": "x"}).status_code == 404
    assert client.post("/threads/nonsense/1/comment/", {"body": "x"}).status_code == 404
