"""The dealer pages of deals and the inbox: what a dealer sees, and that another dealer
gets 404 for every page and post of someone else's deal, announcement or notification."""

import pytest

from deals import services
from deals.models import Deal
from deals.tests.factories import DealFactory
from partners import announcements, messaging
from partners.models import Announcement, AnnouncementReceipt, Comment, Notification
from tests.factories import CompanyFactory, TierFactory, UserFactory
from tests.query_counts import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def test_register_submit_and_see_the_duplicate_warning(client, alpha, beta):
    first = DealFactory(company=beta.membership.company, prospect_name="Acme Trading Ltd")
    services.submit_deal(first.pk, company=first.company, user=beta)
    client.force_login(alpha)
    response = client.post("/deals/new/", {"prospect_name": "ACME Trading Co., Ltd.", "expected_value": "900", "submit": "1"}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Another registration for this prospect may already exist" in page
    assert "Beta" not in page and f"/deals/{first.pk}/" not in page and f"#{first.pk}" not in page
    deal = Deal.objects.get(company=alpha.membership.company)
    assert deal.state == Deal.State.SUBMITTED
    listing = client.get("/deals/").content.decode()
    assert "ACME Trading Co., Ltd." in listing and "possible duplicate" in listing


def test_bad_form_input_answers_400_and_writes_nothing(client, alpha):
    client.force_login(alpha)
    response = client.post("/deals/new/", {"prospect_name": "", "expected_value": "-3"})
    assert response.status_code == 400
    assert not Deal.objects.exists()


def test_comment_with_the_vendor_on_the_deal_page(client, alpha, staff, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    deal = DealFactory(company=alpha.membership.company, registered_by=alpha)
    client.force_login(alpha)
    client.post(f"/deals/{deal.pk}/comment/", {"body": "Site visit on Monday."})
    messaging.post_comment(thread=messaging.thread_for(deal), author=staff, body="I will join.")
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert "Site visit on Monday." in page and "I will join." in page
    assert 'data-testid="inbox-unread">1<' in page  # the vendor's reply is in ann's inbox


def test_every_deal_page_is_404_for_another_dealer(client, alpha, beta, staff):
    deal = DealFactory(company=alpha.membership.company, prospect_name="Secret Prospect")
    services.submit_deal(deal.pk, company=deal.company, user=alpha)
    services.approve_deal(deal.pk, by=staff)
    client.force_login(beta)
    assert client.get(f"/deals/{deal.pk}/").status_code == 404
    assert client.post(f"/deals/{deal.pk}/action/", {"action": "win"}).status_code == 404
    assert client.post(f"/deals/{deal.pk}/comment/", {"body": "mine now"}).status_code == 404
    assert "Secret Prospect" not in client.get("/deals/").content.decode()
    deal.refresh_from_db()
    assert deal.state == Deal.State.APPROVED and not Comment.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, alpha):
    deal = DealFactory(company=alpha.membership.company)
    for url in ("/deals/", "/deals/new/", f"/deals/{deal.pk}/", "/inbox/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_inbox_pages_and_segment_access(client, alpha, beta, gold):
    TierFactory(code="silver", name="Silver")
    notice = Announcement.objects.create(title="Gold price list 2027", body="New prices.", to_all_dealers=False,
                                         requires_acknowledgement=True)
    notice.tiers.set([gold])
    announcements.publish(notice.pk)
    client.force_login(alpha)
    assert 'data-testid="inbox-unread">1<' in client.get("/inbox/").content.decode()
    assert "New prices." in client.get(f"/inbox/{notice.pk}/").content.decode()
    client.post(f"/inbox/{notice.pk}/acknowledge/")
    receipt = AnnouncementReceipt.objects.get()
    assert receipt.user == alpha and receipt.acknowledged_at is not None
    assert "inbox-unread" not in client.get("/inbox/").content.decode()
    # beta is not Gold: the announcement does not exist for it
    client.force_login(beta)
    assert "Gold price list" not in client.get("/inbox/").content.decode()
    assert client.get(f"/inbox/{notice.pk}/").status_code == 404
    assert client.post(f"/inbox/{notice.pk}/acknowledge/").status_code == 404
    assert AnnouncementReceipt.objects.count() == 1


def test_a_notification_opens_only_for_its_user(client, alpha, beta):
    note = messaging.notify([alpha], title="Deal approved", link="/deals/1/")[0]
    client.force_login(beta)
    assert client.post(f"/notifications/{note.pk}/open/").status_code == 404
    client.force_login(alpha)
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/deals/1/"
    assert Notification.objects.get().read_at is not None


def test_deal_list_queries_do_not_grow(client, alpha):
    company = alpha.membership.company
    client.force_login(alpha)
    assert_queries_do_not_grow(client, "/deals/", lambda n: DealFactory.create_batch(n, company=company), first=2, then=8)


def test_inbox_queries_do_not_grow(client, alpha):
    client.force_login(alpha)

    def grow(n):
        for i in range(n):
            announcements.publish(Announcement.objects.create(title=f"Note {i}", body="x").pk)

    assert_queries_do_not_grow(client, "/inbox/", grow, first=2, then=8)


def test_a_user_of_an_inactive_dealer_sees_no_deals(client, db):
    dormant = UserFactory(company=CompanyFactory(is_active=False))
    client.force_login(dormant)
    assert client.get("/deals/").status_code == 403


def test_ids_too_large_for_the_database_are_not_found(client, graphql, alpha):
    huge = "9" * 25
    client.force_login(alpha)
    for url in (f"/deals/{huge}/", f"/inbox/{huge}/", f"/attachments/{huge}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/deals/{huge}/action/", {"action": "submit"}).status_code == 404
    assert client.post(f"/notifications/{huge}/open/").status_code == 404
    api = graphql(alpha)
    assert api.execute("query($id: ID!) { deal(id: $id) { id } }", {"id": "9" * 20})["data"]["deal"] is None
    data = api.execute("mutation($id: ID!) { dealSubmit(id: $id) { errors { code } } }", {"id": "9" * 20})["data"]["dealSubmit"]
    assert data["errors"] == [{"code": "NOT_FOUND"}]
    data = api.execute("mutation($id: ID!) { announcementMarkRead(id: $id) { errors { code } } }", {"id": "9" * 20})
    assert data["data"]["announcementMarkRead"]["errors"] == [{"code": "NOT_FOUND"}]
    thread = api.execute('{ thread(kind: DEAL, key: "99999999999999999999") { key } }')
    assert thread["data"]["thread"] is None


def test_a_transferred_deal_page_names_nobody_of_the_old_dealer(client, alpha, beta, staff):
    deal = DealFactory(company=alpha.membership.company, registered_by=alpha)
    services.submit_deal(deal.pk, company=deal.company, user=alpha)
    services.transfer_deal(deal.pk, by=staff, to_company=beta.membership.company)
    client.force_login(beta)
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert "ann@alpha.example" not in page and alpha.membership.company.code not in page and "by the vendor" in page
