"""GraphQL types of the dealer's rebates: progress per program, the wallet and its entries."""

from types import SimpleNamespace

import graphene

from mall.graphql_types import CountedConnection, Money, cursor, money, paginate
from rebates.selectors import wallet_entries


class RebateTarget(graphene.ObjectType):
    threshold = graphene.Field(Money, required=True)
    rate = graphene.Decimal(required=True, description="Per cent.")


class RebateProgress(graphene.ObjectType):
    """Where the dealer stands in one program's current period."""

    program_id = graphene.ID(required=True)
    program_name = graphene.String(required=True)
    mode = graphene.String(required=True, description="retroactive (the rate reached on all volume) or stepped (per band).")
    period_kind = graphene.String(required=True)
    period_start = graphene.Date(required=True)
    period_end = graphene.Date(required=True)
    volume = graphene.Field(Money, required=True, description="Net purchases so far this period (orders less returns).")
    rate = graphene.Decimal(required=True, description="Rate reached, per cent.")
    earned = graphene.Field(Money, required=True, description="What the volume so far earns.")
    next_rate = graphene.Decimal(description="The next rate, null at the top.")
    missing = graphene.Field(Money, description="Volume still needed for the next rate, null at the top.")
    growth_floor = graphene.Field(Money, description="The volume the growth target asks for (last year + growth), if any.")
    growth_met = graphene.Boolean(required=True)
    message = graphene.String(required=True, description='E.g. "2,340.00 more this quarter for 2%".')
    targets = graphene.List(graphene.NonNull(RebateTarget), required=True)

    @staticmethod
    def resolve_program_id(root, info):
        return str(root.program.pk)

    @staticmethod
    def resolve_program_name(root, info):
        return root.program.name

    @staticmethod
    def resolve_mode(root, info):
        return root.program.mode

    @staticmethod
    def resolve_period_kind(root, info):
        return root.program.period_kind

    @staticmethod
    def resolve_period_start(root, info):
        return root.starts_on

    @staticmethod
    def resolve_period_end(root, info):
        return root.ends_on

    @staticmethod
    def resolve_volume(root, info):
        return money(root.progress.volume, root.currency)

    @staticmethod
    def resolve_rate(root, info):
        return root.progress.rate

    @staticmethod
    def resolve_earned(root, info):
        return money(root.progress.earned, root.currency)

    @staticmethod
    def resolve_next_rate(root, info):
        return root.progress.next_rate

    @staticmethod
    def resolve_missing(root, info):
        return money(root.progress.missing, root.currency)

    @staticmethod
    def resolve_growth_floor(root, info):
        return money(root.progress.growth_floor, root.currency)

    @staticmethod
    def resolve_growth_met(root, info):
        return root.progress.growth_met

    @staticmethod
    def resolve_targets(root, info):
        # prefetched with the program (rebates.services.accrual.programs_for)
        return [RebateTarget(threshold=money(t.threshold, root.currency), rate=t.rate) for t in root.program.targets.all()]


class WalletEntry(graphene.ObjectType):
    kind = graphene.String(required=True, description="credit, spend or refund.")
    amount = graphene.Field(Money, required=True, description="Positive in, negative out.")
    balance_after = graphene.Field(Money, required=True)
    reason = graphene.String(required=True)
    reference = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_amount(root, info):
        return money(root.amount, root.wallet.currency)

    @staticmethod
    def resolve_balance_after(root, info):
        return money(root.balance_after, root.wallet.currency)


class WalletEntryEdge(graphene.ObjectType):
    node = graphene.Field(WalletEntry, required=True)
    cursor = graphene.String(required=True)


class WalletEntryConnection(CountedConnection):
    edges = graphene.List(graphene.NonNull(WalletEntryEdge), required=True)


class RebateWallet(graphene.ObjectType):
    """Rebate credit the dealer may spend at checkout (rebateCredit on checkoutComplete)."""

    currency = graphene.String(required=True)
    balance = graphene.Field(Money, required=True)
    entries = graphene.Field(WalletEntryConnection, required=True, first=graphene.Int(), after=graphene.String(),
                             description="Newest first.")

    @staticmethod
    def resolve_entries(root, info, first=None, after=None):
        queryset = wallet_entries(root.company, root.currency)
        rows, page_info, offset = paginate(queryset, first, after)
        edges = [WalletEntryEdge(node=row, cursor=cursor(offset + i)) for i, row in enumerate(rows)]
        return SimpleNamespace(queryset=queryset.order_by(), page_info=page_info, edges=edges)
