"""Every write of the storefront: carts, checkout, orders."""
