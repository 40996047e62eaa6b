"""Back office: the deal review shows the matching deals, their dealers and scores; the
actions run the state machine; announcements show who read and acknowledged."""

import pytest
from django.contrib.auth.models import Permission

from deals import services
from deals.models import Deal
from deals.tests.factories import DealFactory
from partners import announcements
from partners.messaging import existing_thread
from partners.models import Announcement

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(staff):
    staff.user_permissions.add(*Permission.objects.filter(codename__in=[
        "view_deal", "change_deal", "view_announcement", "change_announcement", "add_announcement"]))
    return staff


def test_review_shows_matches_to_staff_and_approves(client, alpha, beta, manager):
    held = DealFactory(company=beta.membership.company, prospect_name="Acme Trading Ltd", website="https://www.acme.example")
    services.submit_deal(held.pk, company=held.company, user=beta)
    services.approve_deal(held.pk, by=manager)
    mine = DealFactory(company=alpha.membership.company, prospect_name="ACME Trading Limited", contact_email="jo@acme.example")
    services.submit_deal(mine.pk, company=mine.company, user=alpha)
    client.force_login(manager)
    page = client.get(f"/admin/deals/deal/{mine.pk}/review/").content.decode()
    assert "Beta Supplies Ltd" in page and f"#{held.pk} Acme Trading Ltd" in page
    assert "domain, name" in page and "100.0" in page
    refused = client.post(f"/admin/deals/deal/{mine.pk}/review/", {"action": "approve"}, follow=True).content.decode()
    assert "protects this prospect" in refused
    mine.refresh_from_db()
    assert mine.state == Deal.State.SUBMITTED
    client.post(f"/admin/deals/deal/{mine.pk}/review/", {"action": "reject", "reason": "Beta registered it first."})
    mine.refresh_from_db()
    assert (mine.state, mine.rejection_reason) == (Deal.State.REJECTED, "Beta registered it first.")


def test_approve_with_override_and_a_staff_comment(client, alpha, manager):
    deal = DealFactory(company=alpha.membership.company, registered_by=alpha)
    services.submit_deal(deal.pk, company=deal.company, user=alpha)
    client.force_login(manager)
    client.post(f"/admin/deals/deal/{deal.pk}/review/", {"action": "approve", "days": "30"})
    client.post(f"/admin/deals/deal/{deal.pk}/review/", {"post_comment": "1", "body": "Approved for 30 days."})
    deal.refresh_from_db()
    assert deal.state == Deal.State.APPROVED
    assert (deal.protected_until - deal.transitions.get(action="approve").at).days == 30
    assert deal.transitions.get(action="approve").by == manager
    assert "Approved for 30 days." in client.get(f"/admin/deals/deal/{deal.pk}/review/").content.decode()


def test_staff_without_change_permission_cannot_act(client, alpha, staff):
    staff.user_permissions.add(Permission.objects.get(codename="view_deal"))
    deal = DealFactory(company=alpha.membership.company)
    services.submit_deal(deal.pk, company=deal.company, user=alpha)
    client.force_login(staff)
    assert client.get(f"/admin/deals/deal/{deal.pk}/review/").status_code == 200
    assert client.post(f"/admin/deals/deal/{deal.pk}/review/", {"action": "approve"}).status_code == 403
    deal.refresh_from_db()
    assert deal.state == Deal.State.SUBMITTED


def test_announcement_list_counts_readers(client, alpha, beta, manager):
    notice = Announcement.objects.create(title="Returns policy", body="x", requires_acknowledgement=True)
    announcements.publish(notice.pk)
    announcements.acknowledge(alpha, alpha.membership.company, notice.pk)
    announcements.mark_read(beta, beta.membership.company, notice.pk)
    client.force_login(manager)
    listing = client.get("/admin/partners/announcement/").content.decode()
    assert 'class="field-read_by">2<' in listing and 'class="field-acknowledged_by">1<' in listing
    detail = client.get(f"/admin/partners/announcement/{notice.pk}/change/").content.decode()
    assert "2 dealers in the audience; 2 have read it, 1 acknowledged." in detail
    assert "ann@alpha.example" in detail


def test_the_change_page_only_assigns_specialists(client, alpha, manager):
    deal = DealFactory(company=alpha.membership.company, prospect_name="Acme Trading Ltd")
    client.force_login(manager)
    response = client.post(f"/admin/deals/deal/{deal.pk}/change/", {"prospect_name": "Renamed", "specialists": [manager.pk],
                                                                    "transitions-TOTAL_FORMS": "0", "transitions-INITIAL_FORMS": "0",
                                                                    "attributions-TOTAL_FORMS": "0", "attributions-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]
    deal.refresh_from_db()
    assert deal.prospect_name == "Acme Trading Ltd"
    assert list(deal.specialists.all()) == [manager]
    assert list(existing_thread(deal).participants.all()) == [manager]
