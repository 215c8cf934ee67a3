"""Business rules, one package per capability; the engine at the bottom knows none of them.

- ``engine``        the generic case engine: definitions, ``advance`` (the one writer), effects
                    base, facts, reminders, outbox, access, errors
- ``move_in``       the move-in workflow as data: states, steps, guards, effects, tables
- ``installed``     which workflow definitions this installation registers at start-up
- ``casework``      staff's daily work: intake, notes, the work list, the case timeline
- ``appointments``  visits' and consultations' calendar notices, consultation bookings
- ``referrals``     consent with its scope, partners' signed links and their answers
- ``messaging``     composing and delivering every email: languages, templates, calendar files
- ``oversight``     supervisors' figures (dashboard) and the daily digest
- ``directory``     offices, sub-locations, partners and staff; accounts and sign-in
- ``privacy``       retention: closed cases anonymised after their period
"""
