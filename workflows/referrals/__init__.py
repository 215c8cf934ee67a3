"""Referrals to partners (``sending``), the partners' signed answer links (``links``) and what
their answers do (``answers``); what a household consented to share is ``workflows.consent``."""
