"""Message catalogues (gettext .po, managed with Babel) for what households receive.

``locales/<language>/LC_MESSAGES/messages.po``; ``messages.pot`` is extracted from the email
templates (``make translations``). The catalogues are compiled when first used, so there are no
.mo files to keep current.
"""
