"""Referrals to partners: consent per partner category with its scope (``consent``), the
partners' signed answer links (``links``) and what their answers do (``answers``)."""
