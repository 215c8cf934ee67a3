"""Every email the product sends: composed from the database at send time (``compose``), in the
household's language (``i18n``, ``catalogues``, ``email_templates``), with calendar files
(``ics``), previewed without sending (``previews``) and delivered over SMTP (``delivery``)."""
