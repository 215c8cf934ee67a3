"""Appointments with a household: home visits' and consultations' invitations, updates and
cancellations (``notices``), and consultation-hour bookings outside the case lifecycle."""
