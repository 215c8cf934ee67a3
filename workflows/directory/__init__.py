"""Who and where: offices, sub-locations, partners and staff (``records``), and accounts with
passwords, sign-in and API tokens (``accounts``)."""
