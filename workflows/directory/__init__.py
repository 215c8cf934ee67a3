"""Who and where, as administrators keep it: ``offices`` (with sub-locations), ``partners``,
``team`` (staff accounts), ``accounts`` (passwords, sign-in, API tokens) and the form ``checks``
they share."""
