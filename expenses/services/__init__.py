"""Every write of the marketing funds, by topic: funds.py (budgets), plans.py (plans and their
approval chain), claims.py (proof, claim, audit, write-off). Each public function is one
transaction."""
